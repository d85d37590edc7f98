using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Kora.Cluster.Bench;

/// <summary>A controller or broker process started from its Release build output; ready once it prints its ready line.</summary>
public sealed class NodeProcess(string name, string dll, string readyPrefix, IReadOnlyList<string> args, int kafkaPort) : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public string Name { get; } = name;
    public IPEndPoint KafkaEndPoint { get; } = new(IPAddress.Loopback, kafkaPort);
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the process and returns how long it took to print its ready line.</summary>
    public async Task<TimeSpan> StartAsync(TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"{Name} exited before it was ready:\n{Output}"));
                return;
            }
            Append(e.Data);
            if (e.Data.StartsWith(readyPrefix, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await ready.Task.WaitAsync(timeout).ConfigureAwait(false);
        return clock.Elapsed;
    }

    /// <summary>The process's open file descriptors (sockets included), from /proc; -1 when not running.</summary>
    public int OpenDescriptors
    {
        get
        {
            try
            {
                return _process is { HasExited: false } process ? Directory.GetFiles($"/proc/{process.Id}/fd").Length : -1;
            }
            catch (DirectoryNotFoundException)
            {
                return -1;
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Length < 1_000_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().ConfigureAwait(false);
            }
            // A broker closing thousands of logs fsyncs a producer snapshot for each.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
    }
}
