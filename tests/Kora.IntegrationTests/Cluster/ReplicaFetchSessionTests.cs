using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kora.IntegrationTests.Cluster;

/// <summary>
/// Followers fetch through incremental fetch sessions (KIP-227), shown by their fetch counters, and every broker
/// keeps a replication-offset-checkpoint holding the high watermark it learned for each hosted partition.
/// </summary>
public class ReplicaFetchSessionTests(ITestOutputHelper output)
{
    private const string Topic = "sessions";
    private const int Partitions = 3;
    private const int PerPartition = 100;

    [Fact(Timeout = 300_000)]
    public async Task Followers_fetch_in_sessions_and_checkpoint_the_high_watermarks_they_learn()
    {
        await using var fleet = await ClusterFleet.StartAsync(
            controllerSettings: new Dictionary<string, string> { ["BrokerSessionTimeoutMs"] = "2000" },
            brokerSettings: new Dictionary<string, string>
            {
                ["BrokerHeartbeatIntervalMs"] = "500",
                ["ReplicaFetchBackoffMs"] = "200",
                ["ReplicaHighWatermarkCheckpointIntervalMs"] = "500",
            });
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = Partitions, ReplicationFactor = 3 }]);
        }
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fleet.BootstrapServers, Acks = Acks.All, EnableIdempotence = true, MessageTimeoutMs = 120_000 }).Build())
        {
            for (var i = 0; i < PerPartition * Partitions; i++)
            {
                producer.Produce(new TopicPartition(Topic, i % Partitions), new Message<Null, string> { Value = $"s{i}" });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(120)));
        }

        var expected = new long[Partitions];
        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = fleet.BootstrapServers, GroupId = "watermarks" }).Build())
        {
            for (var p = 0; p < Partitions; p++)
            {
                expected[p] = consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(30)).High.Value;
                Assert.True(expected[p] >= PerPartition, $"partition {p} high watermark {expected[p]}");
            }
        }

        // Leaders and followers alike write what they know: a follower only learns the high watermark from the
        // leader's answers, which in a session carry a partition only when something about it changed.
        await ClusterFleet.WaitUntilAsync(
            () => Task.FromResult(fleet.Brokers.All(b => CheckpointedAll(b.DataDir, expected))),
            TimeSpan.FromSeconds(90),
            () => string.Join("\n", fleet.Brokers.Select(b => $"{b.DataDir}: {ReadCheckpoint(b.DataDir)}")) + "\n" + fleet.Output());

        long full = 0, incremental = 0;
        foreach (var broker in fleet.Brokers)
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://{broker.HttpEndPoint}") };
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            output.WriteLine(string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("kora_broker_replica_fetch_requests", StringComparison.Ordinal))));
            var brokerIncremental = Counter(metrics, "incremental");
            Assert.True(brokerIncremental > 0, $"broker at {broker.BootstrapServers} sent no incremental fetch");
            full += Counter(metrics, "full");
            incremental += brokerIncremental;
        }
        // A session is opened once per leader (and again only after an error), then every fetch is incremental:
        // without sessions every fetch would be full.
        Assert.True(incremental > full, $"{incremental} incremental fetches against {full} full ones");

        // A clean stop writes the checkpoint one last time.
        var stopped = fleet.Brokers[^1];
        File.Delete(Path.Combine(stopped.DataDir, "replication-offset-checkpoint"));
        await stopped.StopAsync();
        Assert.True(CheckpointedAll(stopped.DataDir, expected), ReadCheckpoint(stopped.DataDir));
    }

    private static string ReadCheckpoint(string dataDir)
    {
        var path = Path.Combine(dataDir, "replication-offset-checkpoint");
        return File.Exists(path) ? File.ReadAllText(path) : "(none)";
    }

    private static bool CheckpointedAll(string dataDir, long[] expected)
    {
        var lines = ReadCheckpoint(dataDir).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Enumerable.Range(0, Partitions).All(p => lines.Contains($"{Topic} {p} {expected[p]}"));
    }

    private static long Counter(string metrics, string session)
    {
        var match = Regex.Match(metrics, $"^kora_broker_replica_fetch_requests_total\\{{[^}}]*session=\"{session}\"[^}}]*\\}} (\\S+)", RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
