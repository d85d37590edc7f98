using System.Diagnostics;

namespace Kora.Bench.Processes;

/// <summary>Runs a tool to completion, optionally interrupting it (SIGINT) after a while, within a hard limit.</summary>
internal static class ToolRunner
{
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(10);

    /// <param name="interruptAfter">Send SIGINT after this long (tools that print a summary on SIGINT).</param>
    /// <param name="timeLimit">After this long: SIGINT, then SIGKILL if it is still running 10 s later.</param>
    public static async Task<ToolResult> RunAsync(
        ProcessStartInfo info, TimeSpan? interruptAfter, TimeSpan timeLimit, CancellationToken cancellation)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        var clock = Stopwatch.StartNew();
        var process = ChildProcesses.Start(info);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var exited = process.WaitForExitAsync(CancellationToken.None);
            bool interrupted = false, timedOut = false;
            try
            {
                if (interruptAfter is { } after && !await ExitsWithinAsync(exited, after, cancellation).ConfigureAwait(false))
                {
                    interrupted = true;
                    NativeMethods.Signal(process.Id, NativeMethods.SigInt);
                }
                var left = timeLimit - clock.Elapsed;
                if (!await ExitsWithinAsync(exited, left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellation).ConfigureAwait(false))
                {
                    timedOut = true;
                    await InterruptAsync(process, exited).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                await InterruptAsync(process, exited).ConfigureAwait(false);
                throw;
            }
            await exited.ConfigureAwait(false);
            return new ToolResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false),
                clock.Elapsed, interrupted, timedOut);
        }
        finally
        {
            ChildProcesses.Release(process);
        }
    }

    private static async Task<bool> ExitsWithinAsync(Task exited, TimeSpan time, CancellationToken cancellation)
    {
        try
        {
            await exited.WaitAsync(time, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task InterruptAsync(Process process, Task exited)
    {
        NativeMethods.Signal(process.Id, NativeMethods.SigInt);
        if (!await ExitsWithinAsync(exited, InterruptGrace, CancellationToken.None).ConfigureAwait(false))
        {
            process.Kill(entireProcessTree: true);
            await exited.ConfigureAwait(false);
        }
    }
}
