using Confluent.Kafka;
using Kora.Bench.Kafka;
using Kora.Bench.Results;
using Kora.Bench.Targets;

namespace Kora.Bench.Runners;

/// <summary>
/// Resident memory of a fresh broker with many partitions (by default 10 topics x 100), each holding a
/// few 1 KiB messages, read after the broker had a few seconds to settle.
/// </summary>
internal sealed class PartitionMemoryBenchmark(BenchProfile profile, TargetLauncher launcher)
{
    private const int MessageSize = 1024;
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    public static IReadOnlyList<TopicSpec> Topics(BenchProfile profile) =>
    [
        .. Enumerable.Range(0, profile.MemoryTopics).Select(i => new TopicSpec($"bench-memory-{i}", profile.MemoryPartitionsPerTopic)),
    ];

    public async Task RunAsync(TargetKind kind, TargetResults results, CancellationToken cancellation)
    {
        var target = await launcher.StartAsync(kind, Topics(profile), cancellation).ConfigureAwait(false);
        await using (target.ConfigureAwait(false))
        {
            try
            {
                results.PartitionMemory = await MeasureAsync(target, results.Problems, cancellation).ConfigureAwait(false);
                var m = results.PartitionMemory;
                Log.Info($"{target.Name}: {m.Partitions:N0} partitions: RSS {m.RssBytes / 1e6:N0} MB, peak {m.PeakRssBytes / 1e6:N0} MB");
            }
            finally
            {
                results.TargetLog.AddRange(target.Process.Log.Notable().Select(l => "[1,000-partition broker] " + l));
            }
        }
    }

    private async Task<PartitionMemoryResult> MeasureAsync(BenchTarget target, List<string> problems, CancellationToken cancellation)
    {
        var topics = Topics(profile);
        using (var admin = new TopicAdmin(target))
        {
            await admin.CreateAsync(topics, cancellation).ConfigureAwait(false);
        }
        long failed = 0;
        string? firstError = null;
        var clientMessages = new ClientMessages();
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = target.BootstrapServers,
            ClientId = "kora-bench-memory",
            Acks = Acks.Leader,
            LingerMs = 5,
        }).SetLogHandler((_, m) => clientMessages.OnLog("producer", m)).SetErrorHandler((_, e) => clientMessages.OnError("producer", e)).Build())
        {
            var payload = new byte[MessageSize];
            foreach (var topic in topics.Select(t => t.Name))
            {
                for (var partition = 0; partition < profile.MemoryPartitionsPerTopic; partition++)
                {
                    for (var i = 0; i < profile.MemoryMessagesPerPartition; i++)
                    {
                        producer.Produce(new TopicPartition(topic, partition), new Message<Null, byte[]> { Value = payload }, report =>
                        {
                            if (report.Error.IsError)
                            {
                                Interlocked.Increment(ref failed);
                                firstError ??= $"{report.TopicPartition}: {report.Error.Code}: {report.Error.Reason}";
                            }
                        });
                    }
                }
            }
            var left = producer.Flush(FlushTimeout);
            if (left > 0)
            {
                problems.Add($"1,000 partitions: {left} messages still undelivered after {FlushTimeout.TotalSeconds:0} s");
            }
        }
        problems.AddRange(clientMessages.Snapshot().Select(m => "1,000 partitions: " + m));
        if (failed > 0)
        {
            problems.Add($"1,000 partitions: {failed} deliveries failed, first: {firstError}");
        }
        await Task.Delay(TimeSpan.FromSeconds(profile.MemorySettleSeconds), cancellation).ConfigureAwait(false);
        var snapshot = target.Process.Snapshot();
        return new PartitionMemoryResult(
            profile.MemoryTopics, profile.MemoryPartitionsPerTopic, profile.MemoryMessagesPerPartition,
            snapshot.RssBytes, snapshot.PeakRssBytes, failed > 0 ? $"{failed} deliveries failed" : null);
    }
}
