using System.Diagnostics;

namespace Kora.Bench.Processes;

/// <summary>
/// A long-running child (broker or mock cluster) that announces readiness with one stdout line.
/// Its output is captured in <see cref="Log"/>; stopping sends SIGTERM and kills it if it lingers.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);
    private readonly Process _process;

    private ServerProcess(string name, Process process, string readyLine, OutputLog log)
    {
        Name = name;
        _process = process;
        ReadyLine = readyLine;
        Log = log;
    }

    public string Name { get; }
    public string ReadyLine { get; }
    public OutputLog Log { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static async Task<ServerProcess> StartAsync(
        string name, ProcessStartInfo info, string readyPrefix, TimeSpan timeout, CancellationToken cancellation)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        // An open stdin pipe that closes when this process dies: kora-mock-cluster stops on its EOF.
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        var log = new OutputLog();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = ChildProcesses.Start(info);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException(
                    $"{name} exited before it was ready. Last output:\n" + string.Join('\n', log.Recent().TakeLast(40))));
                return;
            }
            log.Add(e.Data);
            if (e.Data.StartsWith(readyPrefix, StringComparison.Ordinal))
            {
                ready.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log.Add(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var line = await ready.Task.WaitAsync(timeout, cancellation).ConfigureAwait(false);
            return new ServerProcess(name, process, line, log);
        }
        catch (Exception e)
        {
            await StopAsync(process).ConfigureAwait(false);
            if (e is TimeoutException)
            {
                throw new TimeoutException(
                    $"{name} printed no '{readyPrefix}' line within {timeout.TotalSeconds:0} s. Last output:\n"
                    + string.Join('\n', log.Recent().TakeLast(40)), e);
            }
            throw;
        }
    }

    public ProcessSnapshot Snapshot() => ProcStats.Read(_process.Id);

    public ValueTask DisposeAsync() => new(StopAsync(_process));

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                NativeMethods.Signal(process.Id, NativeMethods.SigTerm);
                try
                {
                    await process.WaitForExitAsync().WaitAsync(StopGrace).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ChildProcesses.Release(process);
        }
    }
}
