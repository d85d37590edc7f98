using Kora.Bench.Results;
using Kora.Bench.Targets;

namespace Kora.Bench.Runners;

/// <summary>
/// Consumer throughput: reads back, from the beginning to the end, topics the produce benchmark wrote.
/// The mock keeps only the last 5 MB of each partition, so it has far fewer messages to return.
/// </summary>
internal sealed class ConsumeBenchmark(BenchProfile profile, PerfTool perf)
{
    /// <summary>Produce scenarios whose topics are kept and read back.</summary>
    public static IReadOnlyList<ProduceScenario> Sources { get; } = [new(100, 12, 1), new(1024, 12, 1)];

    public async Task RunAsync(BenchTarget target, TargetResults results, CancellationToken cancellation)
    {
        foreach (var source in Sources)
        {
            if (results.Produce.FirstOrDefault(p => p.Scenario == source)?.Throughput is null)
            {
                results.Consume.Add(new ConsumeResult(source, null, 0, "its produce run has no result"));
                continue;
            }
            results.Consume.Add(await RunOneAsync(target, source, results.Problems, cancellation).ConfigureAwait(false));
        }
    }

    private async Task<ConsumeResult> RunOneAsync(
        BenchTarget target, ProduceScenario source, List<string> problems, CancellationToken cancellation)
    {
        try
        {
            var before = target.Process.Snapshot();
            var run = await perf.ConsumeAsync(
                target.BootstrapServers, source.Topic, source.Partitions, TimeSpan.FromSeconds(profile.ConsumeTimeLimitSeconds),
                cancellation).ConfigureAwait(false);
            var cpu = target.Process.Snapshot().CpuSeconds - before.CpuSeconds;
            if (run.Problem is { } problem)
            {
                problems.Add($"consume {source.Topic}: {problem}");
            }
            Log.Info($"{target.Name}: consume {source.Topic}: " + (run.Throughput is { } t
                ? $"{t.MessagesPerSecond:N0} msg/s, {t.MegabytesPerSecond:N1} MB/s ({t.Messages:N0} msgs in {t.Seconds:N1} s{(t.Complete ? "" : ", time limit")})"
                : "no result"));
            return new ConsumeResult(source, run.Throughput, cpu, run.Throughput is null ? run.Problem : null);
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            problems.Add($"consume {source.Topic}: {e.GetType().Name}: {e.Message}");
            return new ConsumeResult(source, null, 0, e.Message);
        }
    }
}
