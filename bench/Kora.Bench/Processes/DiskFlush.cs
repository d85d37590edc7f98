using System.Diagnostics;

namespace Kora.Bench.Processes;

/// <summary>
/// Runs sync(1): writes back every dirty page, so that gigabytes left by earlier throughput runs are
/// not written back during (and do not stall the fsyncs of) a latency measurement.
/// </summary>
internal static class DiskFlush
{
    public static async Task<TimeSpan> RunAsync(CancellationToken cancellation)
    {
        var result = await ToolRunner.RunAsync(new ProcessStartInfo("sync"), null, TimeSpan.FromMinutes(3), cancellation)
            .ConfigureAwait(false);
        return result.Elapsed;
    }
}
