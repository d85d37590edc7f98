using System.Diagnostics;
using System.Globalization;
using Kora.AppHost.Hosting;

namespace Kora.AppHost.Tests.Infrastructure;

/// <summary>The real Kora.AppHost, run from its build output as `dotnet run --project Kora.AppHost` would, with its output captured.</summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    private AppHostProcess(Process process) => _process = process;

    public static string Dll => Path.Combine(RepositoryLayout.Root, "Kora.AppHost", "bin", RepositoryLayout.Configuration, "net10.0", "Kora.AppHost.dll");

    public int Id => _process.Id;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_stdout)
            {
                return [.. _stdout];
            }
        }
    }

    public string Output => string.Join('\n', Lines) + "\nstderr:\n" + StandardError;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public static AppHostProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = info };
        var host = new AppHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Add(host._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => host.Add(host._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is not null)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }
            Assert.False(_process.HasExited, "The AppHost exited early:\n" + Output);
            Assert.True(DateTime.UtcNow < deadline, "The AppHost did not print the expected line in time:\n" + Output);
            await Task.Delay(100);
        }
    }

    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Its children die with it (the host starts them with a parent-death signal).
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
