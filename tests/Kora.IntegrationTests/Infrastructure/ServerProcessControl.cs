using System.Diagnostics;
using System.Globalization;

namespace Kora.IntegrationTests.Infrastructure;

/// <summary>How the tests end a broker or controller process: SIGKILL as a power cut, SIGTERM as an orderly stop.</summary>
internal static class ServerProcessControl
{
    public static async Task KillAsync(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM, then up to 30 s for the exit; a process that does not stop is killed and reported with its output.</summary>
    public static async Task StopAsync(Process? process, string name, Func<string> output)
    {
        if (process is not { HasExited: false })
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} did not stop within 30 s of SIGTERM:\n" + output());
        }
    }
}
