using System.Globalization;
using Kora.Bench.Kafka;
using Kora.Bench.Processes;
using Kora.Bench.Results;
using Kora.Bench.Targets;

namespace Kora.Bench.Runners;

/// <summary>Produce-ack and end-to-end latency at a fixed rate (by default 20,000 x 1 KiB/s, acks=-1).</summary>
internal sealed class LatencyBenchmark(BenchProfile profile)
{
    /// <summary>Confluent.Kafka producer settings of the latency runs (consumer: librdkafka defaults).</summary>
    public static IReadOnlyList<string> ProducerSettings { get; } =
        ["acks=all", "linger.ms=1", "enable.idempotence=false", "compression.type=none"];

    public static IEnumerable<TopicSpec> Topics(BenchProfile profile) =>
        profile.LatencyPartitions.Select(p => new TopicSpec(Topic(p), p));

    public async Task RunAsync(BenchTarget target, TargetResults results, CancellationToken cancellation)
    {
        using var admin = new TopicAdmin(target);
        var flush = await DiskFlush.RunAsync(cancellation).ConfigureAwait(false);
        Log.Info($"{target.Name}: sync before the latency runs took {flush.TotalSeconds:N1} s");
        foreach (var partitions in profile.LatencyPartitions)
        {
            var topic = Topic(partitions);
            try
            {
                await admin.CreateAsync(topic, partitions, cancellation).ConfigureAwait(false);
                var run = new LatencyRun(target.BootstrapServers, topic, partitions, profile);
                var before = target.Process.Snapshot();
                var result = await Task.Factory.StartNew(
                    () => run.Execute(cancellation), cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                    .ConfigureAwait(false);
                result = result with { TargetCpuSeconds = target.Process.Snapshot().CpuSeconds - before.CpuSeconds };
                results.Problems.AddRange(run.Errors.Select(e => $"latency {partitions}p: {e}"));
                if (result.FirstDeliveryError is { } deliveryError)
                {
                    results.Problems.Add($"latency {partitions}p: {result.Failed} failed deliveries, first: {deliveryError}");
                }
                results.Latency.Add(result);
                Log.Info($"{target.Name}: latency {partitions}p: {result.AchievedMessagesPerSecond:N0} msg/s, "
                    + $"ack p50/p99/p99.9 {Ms(result.ProduceAck)}, e2e {Ms(result.EndToEnd)}; "
                    + $"worst ack per second: {string.Join(' ', result.AckWorstPerSecond.Select(v => v.ToString("0.#", CultureInfo.InvariantCulture)))} ms");
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                results.Problems.Add($"latency {partitions}p: {e.GetType().Name}: {e.Message}");
                Log.Warn($"{target.Name}: latency {partitions}p: {e.Message}");
                results.Latency.Add(new LatencyResult(
                    partitions, profile.LatencyMessageSize, profile.LatencyMessagesPerSecond, 0, 0, 0, 0, 0, 0, null, null, [], [], 0, null, e.Message));
            }
        }
    }

    private static string Topic(int partitions) => $"bench-latency-{partitions}p";

    private static string Ms(Percentiles? p) => p is null ? "n/a" : $"{p.P50:N2}/{p.P99:N2}/{p.P999:N2} ms";
}
