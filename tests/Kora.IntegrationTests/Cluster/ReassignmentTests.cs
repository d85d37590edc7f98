using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using Xunit.Abstractions;

namespace Kora.IntegrationTests.Cluster;

/// <summary>
/// A partition holding about 1 GB moves from brokers [b1, b2] to [b2, b3] with kafkajs while an idempotent acks=all
/// producer and a consumer keep running, with Kafka's replication throttle set the way kafka-reassign-partitions
/// --throttle sets it: the new replica's traffic is held to the rate, every acknowledged message is read once and
/// in order, and the broker that lost its replica deletes it.
/// </summary>
public class ReassignmentTests(ITestOutputHelper output)
{
    private const int ValueBytes = 16 * 1024;
    private const long FillBytes = 1L << 30;
    private const long ThrottleBytesPerSecond = 25L * 1024 * 1024;
    private const string Topic = "big";

    private static readonly Dictionary<string, string> Controllers = new() { ["BrokerSessionTimeoutMs"] = "3000" };
    private static readonly Dictionary<string, string> Brokers = new()
    {
        ["BrokerHeartbeatIntervalMs"] = "500",
        ["ReplicaLagTimeMaxMs"] = "10000",
        ["ReplicaFetchBackoffMs"] = "200",
        ["LogSegmentBytes"] = (128L * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
    };

    [Fact(Timeout = 300_000)]
    public async Task A_1_GB_partition_is_reassigned_under_a_throttle_while_clients_keep_running()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers, brokerSettings: Brokers);
        var (b1, b2, b3) = (ClusterFleet.FirstBrokerId, ClusterFleet.FirstBrokerId + 1, ClusterFleet.FirstBrokerId + 2);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicasAssignments = new() { [0] = [b1, b2] } }]);

        var fill = Stopwatch.StartNew();
        var filled = Fill(fleet.BootstrapServers);
        // acks=1 lets the follower trail the leader; only once the high watermark covers every message do both replicas
        // hold the whole gigabyte, so that a new replica cannot join the ISR (catch up to the high watermark) early.
        using (var watermarks = new ConsumerBuilder<Null, Null>(new ConsumerConfig { BootstrapServers = fleet.BootstrapServers, GroupId = "reassign-watermarks" }).Build())
        {
            await ClusterFleet.WaitUntilAsync(
                async () => (await PartitionAsync(fleet.Broker(b1))).Isr.Length == 2
                    && watermarks.QueryWatermarkOffsets(new TopicPartition(Topic, 0), TimeSpan.FromSeconds(5)).High.Value >= filled,
                TimeSpan.FromSeconds(90), fleet.Output);
        }
        var filledMb = filled * ValueBytes / (1 << 20);
        output.WriteLine($"filled {filledMb} MB ({filled} messages) in {fill.Elapsed.TotalSeconds:F1} s ({filledMb / fill.Elapsed.TotalSeconds:F0} MB/s, both replicas in sync)");

        // kafka-reassign-partitions --throttle: leader side on the current replicas, follower side on the new one, a rate on every broker.
        // Confluent's client takes one broker resource per call.
        foreach (var (resource, entries) in ThrottleConfigs(b1, b2, b3))
        {
            await admin.IncrementalAlterConfigsAsync(new() { [resource] = entries });
        }

        using var stop = new CancellationTokenSource();
        var acked = new ConcurrentQueue<(long Offset, int Index)>();
        var failed = 0;
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = fleet.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = 120_000,
            RetryBackoffMs = 50,
            RetryBackoffMaxMs = 200,
            TopicMetadataRefreshIntervalMs = 1000,
        }).Build();
        var sent = 0;
        var producing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var index = sent++;
                producer.Produce(new TopicPartition(Topic, 0), new Message<string, string> { Key = "s", Value = $"m{index}" }, report =>
                {
                    if (report.Error.IsError)
                    {
                        Interlocked.Increment(ref failed);
                        return;
                    }
                    acked.Enqueue((report.Offset.Value, index));
                });
                await Task.Delay(5);
            }
        });
        var consumed = new ConcurrentQueue<(long Offset, int Index)>();
        using var consumerStop = new CancellationTokenSource();
        var consuming = Task.Run(() => Consume(fleet.BootstrapServers, filled, consumed, consumerStop.Token));

        var clock = Stopwatch.StartNew();
        var result = await ExternalCommand.RunAsync("node",
            [Path.Combine(Repository.NodeClients, "kafkajs-reassign.js"), fleet.Broker(b2).BootstrapServers, Topic, $"{b2},{b3}"],
            workingDirectory: Repository.NodeClients);
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        var samples = new List<(double Seconds, long Bytes)>();
        var newReplica = Path.Combine(fleet.Broker(b3).DataDir, $"{Topic}-0");
        await ClusterFleet.WaitUntilAsync(async () =>
        {
            samples.Add((clock.Elapsed.TotalSeconds, LogBytes(newReplica)));
            var partition = await PartitionAsync(fleet.Broker(b2));
            return partition.Replicas.SequenceEqual([b2, b3]) && partition.Isr.Order().SequenceEqual([b2, b3]) && !await ReassigningAsync(fleet.Broker(b2));
        }, TimeSpan.FromSeconds(150), fleet.Output);
        var duration = clock.Elapsed.TotalSeconds;
        var moved = LogBytes(newReplica);
        samples.Add((duration, moved));

        // Kafka's quota spans 11 one-second windows and counts at least 10 of them, so the first ~10 s may move up
        // to ten seconds' worth at once; from then on the rate is held. Measure the whole move and its steady part.
        var average = moved / duration;
        var from = samples.FirstOrDefault(s => s.Seconds >= 15);
        var steady = from.Seconds > 0 && duration - from.Seconds >= 5 ? (moved - from.Bytes) / (duration - from.Seconds) : double.NaN;
        output.WriteLine($"reassignment of {moved / (1 << 20)} MB took {duration:F1} s: {average / (1 << 20):F1} MB/s overall, "
            + $"{steady / (1 << 20):F1} MB/s after the first 15 s; throttle {ThrottleBytesPerSecond / (1 << 20)} MB/s");
        Assert.True(moved >= filled * ValueBytes, $"the new replica holds {moved} bytes of {filled * ValueBytes}");
        Assert.True(moved <= ThrottleBytesPerSecond * (duration + 11) * 1.15,
            $"{moved} bytes in {duration:F1} s is more than the throttle allows");
        if (!double.IsNaN(steady))
        {
            Assert.InRange(steady, 0, ThrottleBytesPerSecond * 1.2);
        }

        // The broker that lost its replica deletes it.
        var oldReplica = Path.Combine(fleet.Broker(b1).DataDir, $"{Topic}-0");
        await ClusterFleet.WaitUntilAsync(() => Task.FromResult(!Directory.Exists(oldReplica)), TimeSpan.FromSeconds(30), fleet.Output);

        await Task.Delay(1000);
        await stop.CancelAsync();
        await producing;
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        var last = acked.Max(a => a.Offset);
        await ClusterFleet.WaitUntilAsync(() => Task.FromResult(!consumed.IsEmpty && consumed.Max(c => c.Offset) >= last), TimeSpan.FromSeconds(60), fleet.Output);
        await consumerStop.CancelAsync();
        await consuming;
        output.WriteLine($"steady producer: sent {sent}, acknowledged {acked.Count}, failed {failed}; consumed {consumed.Count}");

        var indexes = consumed.Select(c => c.Index).ToList();
        Assert.Equal(indexes.Count, indexes.Distinct().Count());
        Assert.Equal(indexes.Order(), indexes);
        Assert.Empty(acked.Select(a => a.Index).Except(indexes));
        var byOffset = consumed.ToDictionary(c => c.Offset, c => c.Index);
        Assert.All(acked, a => Assert.Equal(a.Index, byOffset[a.Offset]));
        Assert.True(acked.Count > 300, $"only {acked.Count} messages were acknowledged during the move");
    }

    private static Dictionary<ConfigResource, List<ConfigEntry>> ThrottleConfigs(int b1, int b2, int b3)
    {
        static ConfigEntry Set(string name, string value) => new() { Name = name, Value = value, IncrementalOperation = AlterConfigOpType.Set };
        var rate = ThrottleBytesPerSecond.ToString(CultureInfo.InvariantCulture);
        var configs = new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = Topic }] =
            [
                Set("leader.replication.throttled.replicas", $"0:{b1},0:{b2}"),
                Set("follower.replication.throttled.replicas", $"0:{b3}"),
            ],
        };
        foreach (var broker in new[] { b1, b2, b3 })
        {
            configs[new ConfigResource { Type = ResourceType.Broker, Name = broker.ToString(CultureInfo.InvariantCulture) }] =
                [Set("leader.replication.throttled.rate", rate), Set("follower.replication.throttled.rate", rate)];
        }
        return configs;
    }

    /// <summary>About <see cref="FillBytes"/> of incompressible values in large batches, acks=1; returns the log end offset.</summary>
    private static long Fill(string bootstrap)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.Leader,
            LingerMs = 20,
            BatchSize = 1_000_000,
            CompressionType = CompressionType.None,
            QueueBufferingMaxKbytes = 256 * 1024,
        }).Build();
        var value = new byte[ValueBytes];
        Random.Shared.NextBytes(value);
        var errors = 0;
        long last = -1;
        for (long i = 0; i < FillBytes / ValueBytes; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(Topic, 0), new Message<Null, byte[]> { Value = value }, report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref errors);
                        }
                        else
                        {
                            Interlocked.Exchange(ref last, Math.Max(Interlocked.Read(ref last), report.Offset.Value));
                        }
                    });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(120)));
        Assert.Equal(0, errors);
        return last + 1;
    }

    private static void Consume(string bootstrap, long from, ConcurrentQueue<(long Offset, int Index)> consumed, CancellationToken stop)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "reassignment-check",
            EnableAutoCommit = false,
            TopicMetadataRefreshIntervalMs = 1000,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(Topic, 0, from));
        while (!stop.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }
            consumed.Enqueue((result.Offset.Value, int.Parse(result.Message.Value.AsSpan(1), CultureInfo.InvariantCulture)));
        }
    }

    private static long LogBytes(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*.log").Sum(f => new FileInfo(f).Length) : 0;

    private static async Task<(int[] Replicas, int[] Isr)> PartitionAsync(BrokerProcess broker)
    {
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        var response = await client.SendAsync<MetadataResponse>(MetadataRequest.ApiKey, 12,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = Topic }], AllowAutoTopicCreation = false },
            flexibleRequest: true, flexibleResponse: true).WaitAsync(TimeSpan.FromSeconds(10));
        var p = response.Topics.Single().Partitions.SingleOrDefault(x => x.PartitionIndex == 0);
        return p is null ? ([], []) : ([.. p.ReplicaNodes], [.. p.IsrNodes]);
    }

    private static async Task<bool> ReassigningAsync(BrokerProcess broker)
    {
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        var response = await client.SendAsync<ListPartitionReassignmentsResponse>(ListPartitionReassignmentsRequest.ApiKey, 0,
            new ListPartitionReassignmentsRequest { Topics = null }, flexibleRequest: true, flexibleResponse: true).WaitAsync(TimeSpan.FromSeconds(10));
        return response.Topics.Count > 0;
    }
}
