using Kora.Bench.Kafka;
using Kora.Bench.Results;
using Kora.Bench.Targets;

namespace Kora.Bench.Runners;

/// <summary>
/// Producer throughput per <see cref="ProduceScenario"/>: an interrupted warm-up run measures the
/// rate, then a run of a fixed message count sized to last <see cref="BenchProfile.ProduceSeconds"/>
/// is measured to its last delivery report.
/// </summary>
internal sealed class ProduceBenchmark(BenchProfile profile, PerfTool perf)
{
    private const long FallbackCount = 100_000;
    private const long MinimumCount = 1_000;

    public static IEnumerable<TopicSpec> Topics => ProduceScenario.All.Select(s => new TopicSpec(s.Topic, s.Partitions));

    public async Task RunAsync(BenchTarget target, TargetResults results, CancellationToken cancellation)
    {
        using var admin = new TopicAdmin(target);
        foreach (var scenario in ProduceScenario.All)
        {
            results.Produce.Add(await RunScenarioAsync(target, admin, scenario, results.Problems, cancellation).ConfigureAwait(false));
            if (!ConsumeBenchmark.Sources.Contains(scenario))
            {
                await DeleteAsync(admin, scenario.Topic, results.Problems, cancellation).ConfigureAwait(false);
            }
        }
    }

    private async Task<ProduceResult> RunScenarioAsync(
        BenchTarget target, TopicAdmin admin, ProduceScenario scenario, List<string> problems, CancellationToken cancellation)
    {
        try
        {
            await admin.CreateAsync(scenario.Topic, scenario.Partitions, cancellation).ConfigureAwait(false);
            var warmUp = TimeSpan.FromSeconds(profile.CalibrationSeconds);
            var calibration = await perf.ProduceAsync(
                target.BootstrapServers, scenario.Topic, scenario, count: null, warmUp, warmUp + TimeSpan.FromSeconds(30), cancellation)
                .ConfigureAwait(false);
            if (calibration.Problem is { } calibrationProblem)
            {
                problems.Add($"produce {scenario}, warm-up run: {calibrationProblem}");
            }
            var rate = calibration.Throughput?.MessagesPerSecond ?? 0;
            var count = rate > 0 ? (long)(rate * profile.ProduceSeconds) : FallbackCount;
            count = Math.Clamp(count, MinimumCount, Math.Min(int.MaxValue, profile.MaxBytesPerProduceRun / scenario.MessageSize));

            var before = target.Process.Snapshot();
            var run = await perf.ProduceAsync(
                target.BootstrapServers, scenario.Topic, scenario, count, interruptAfter: null,
                TimeSpan.FromSeconds(Math.Max(4 * profile.ProduceSeconds, 30)), cancellation).ConfigureAwait(false);
            var cpu = target.Process.Snapshot().CpuSeconds - before.CpuSeconds;
            if (run.Problem is { } problem)
            {
                problems.Add($"produce {scenario}: {problem}");
            }
            Log.Info($"{target.Name}: produce {scenario}: " + (run.Throughput is { } t
                ? $"{t.MessagesPerSecond:N0} msg/s, {t.MegabytesPerSecond:N1} MB/s ({t.Messages:N0} msgs in {t.Seconds:N1} s)"
                : "no result"));
            return new ProduceResult(scenario, run.Throughput, count, rate, cpu, run.Throughput is null ? run.Problem : null);
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            problems.Add($"produce {scenario}: {e.GetType().Name}: {e.Message}");
            Log.Warn($"{target.Name}: produce {scenario}: {e.Message}");
            return new ProduceResult(scenario, null, 0, 0, 0, e.Message);
        }
    }

    /// <summary>Frees the disk space of a topic nothing reads back.</summary>
    private static async Task DeleteAsync(TopicAdmin admin, string topic, List<string> problems, CancellationToken cancellation)
    {
        try
        {
            await admin.DeleteAsync([topic], cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            problems.Add($"delete topic {topic}: {e.GetType().Name}: {e.Message}");
        }
    }
}
