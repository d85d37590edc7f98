using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Xunit.Abstractions;
using KafkaErrorCode = Kora.Protocol.Primitives.ErrorCode;

namespace Kora.IntegrationTests.Cluster;

/// <summary>
/// Partition replication across three real brokers: followers fetch from the leader, acks=all waits for the
/// ISR, a killed leader is replaced by an in-sync follower without losing an acknowledged message, the killed
/// broker comes back, truncates and catches up, and min.insync.replicas refuses writes the ISR cannot hold.
/// </summary>
public class ReplicationTests(ITestOutputHelper output)
{
    // A short lease and frequent heartbeats so a killed broker is fenced (and its leaderships moved) quickly.
    private static readonly Dictionary<string, string> Controllers = new() { ["BrokerSessionTimeoutMs"] = "2000" };
    // Kafka's default 9 s lease: a killed leader's broker is fenced because its heartbeat connection closed, not because the lease ran out.
    private static readonly Dictionary<string, string> DefaultLeaseControllers = new() { ["BrokerSessionTimeoutMs"] = "9000", ["Logging:LogLevel:Kora"] = "Information" };
    private static readonly Dictionary<string, string> Brokers = new()
    {
        ["BrokerHeartbeatIntervalMs"] = "500",
        ["ReplicaLagTimeMaxMs"] = "5000",
        ["ReplicaFetchBackoffMs"] = "200",
        ["Logging:LogLevel:Kora"] = "Information",
    };

    [Fact(Timeout = 420_000)]
    public async Task Acknowledged_messages_survive_five_leader_kills_exactly_once_and_in_order()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: DefaultLeaseControllers, brokerSettings: Brokers);
        const string topic = "failover";
        await CreateAsync(fleet, topic);
        var acked = new ConcurrentQueue<(long Offset, int Index)>();
        var ackTimes = new ConcurrentQueue<long>();
        var failed = 0;
        var clock = Stopwatch.StartNew();
        var wallStart = DateTime.UtcNow;
        using var stop = new CancellationTokenSource();
        var config = new ProducerConfig
        {
            BootstrapServers = fleet.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = 120_000,
            RetryBackoffMs = 50,
            RetryBackoffMaxMs = 200,
            TopicMetadataRefreshIntervalMs = 1000,
        };
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        var sent = 0;
        var producing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var index = sent++;
                producer.Produce(new TopicPartition(topic, 0), new Message<Null, string> { Value = $"m{index}" }, report =>
                {
                    if (report.Error.IsError)
                    {
                        Interlocked.Increment(ref failed);
                        return;
                    }
                    acked.Enqueue((report.Offset.Value, index));
                    ackTimes.Enqueue(clock.ElapsedMilliseconds);
                });
                await Task.Delay(2);
            }
        });

        var stalls = new List<long>();
        for (var round = 1; round <= 5; round++)
        {
            // Steady state first: everyone in sync, and acknowledgements flowing.
            await WaitForIsrAsync(fleet, topic, 3, TimeSpan.FromSeconds(60));
            var before = acked.Count;
            await ClusterFleet.WaitUntilAsync(() => Task.FromResult(acked.Count >= before + 300), TimeSpan.FromSeconds(30), fleet.Output);
            var (leader, _) = await ReplicaLogs.LeaderAndIsrAsync(fleet.Brokers.First(b => b.IsRunning), topic, 0);
            var victim = fleet.Broker(leader);
            var killedAt = clock.ElapsedMilliseconds;
            await victim.KillAsync();
            var countAtKill = acked.Count;
            await ClusterFleet.WaitUntilAsync(() => Task.FromResult(acked.Count >= countAtKill + 100), TimeSpan.FromSeconds(60), fleet.Output);
            var stall = LongestGap(ackTimes, killedAt);
            stalls.Add(stall);
            output.WriteLine($"round {round}: killed leader {leader} at {wallStart.AddMilliseconds(killedAt):HH:mm:ss.fff}; longest pause in acknowledgements {stall} ms");
            await victim.StartAsync();
        }
        await WaitForIsrAsync(fleet, topic, 3, TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await producing;
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        output.WriteLine($"sent {sent}, acknowledged {acked.Count}, failed {failed}; stalls {string.Join(", ", stalls)} ms, median {stalls.Order().ElementAt(stalls.Count / 2)} ms");

        var consumed = ConsumeAll(fleet.BootstrapServers, topic, acked.Max(a => a.Offset) + 1);
        var ackedIndexes = acked.Select(a => a.Index).ToHashSet();
        var consumedIndexes = consumed.Select(c => c.Index).ToList();
        Assert.Equal(consumedIndexes.Count, consumedIndexes.Distinct().Count());
        Assert.Empty(ackedIndexes.Except(consumedIndexes));
        Assert.Equal(consumedIndexes.Order(), consumedIndexes);
        foreach (var (offset, index) in acked)
        {
            Assert.Equal(index, consumed.Single(c => c.Offset == offset).Index);
        }
        // Below the 9 s lease every time: the closed heartbeat connection, not the lease, fenced the killed leader.
        Assert.All(stalls, s => Assert.True(s < 9_000, $"a failover stalled acknowledgements for {s} ms"));
        var median = stalls.Order().ElementAt(stalls.Count / 2);
        Assert.True(median < 3_000, $"the median failover stalled acknowledgements for {median} ms");

        // Every replica, the last killed one included, ends with the same log, byte for byte.
        await Task.Delay(2000);
        foreach (var broker in fleet.Brokers)
        {
            await broker.StopAsync();
        }
        var logs = fleet.Brokers.Select(b => ReplicaLogs.Read(b.DataDir, topic, 0)).ToList();
        output.WriteLine($"log end offsets {string.Join(", ", logs.Select(l => l.LogEndOffset))}");
        Assert.All(logs, l => Assert.Equal(logs[0].LogEndOffset, l.LogEndOffset));
        Assert.All(logs, l => Assert.Equal(logs[0].Batches, l.Batches));
    }

    [Fact(Timeout = 240_000)]
    public async Task Acks_all_is_refused_with_not_enough_replicas_when_two_of_three_brokers_are_down()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers, brokerSettings: Brokers);
        const string topic = "guarded";
        await CreateAsync(fleet, topic);
        await WaitForIsrAsync(fleet, topic, 3, TimeSpan.FromSeconds(30));
        var leader = await SettledLeaderAsync(fleet, topic);
        var leaderProcess = fleet.Broker(leader);
        Assert.Equal(KafkaErrorCode.None, await ProduceRetryingAsync(leaderProcess, topic, acks: -1));

        foreach (var broker in fleet.Brokers.Where(b => b != leaderProcess))
        {
            await broker.KillAsync();
        }
        await ClusterFleet.WaitUntilAsync(async () => (await ReplicaLogs.LeaderAndIsrAsync(leaderProcess, topic, 0)).Isr.SequenceEqual([leader]),
            TimeSpan.FromSeconds(30), fleet.Output);
        Assert.Equal(KafkaErrorCode.NotEnoughReplicas, await ProduceAsync(leaderProcess, topic, acks: -1));
        // acks=1 does not need the ISR.
        Assert.Equal(KafkaErrorCode.None, await ProduceAsync(leaderProcess, topic, acks: 1));

        foreach (var broker in fleet.Brokers.Where(b => b != leaderProcess))
        {
            await broker.StartAsync();
        }
        await WaitForIsrAsync(fleet, topic, 3, TimeSpan.FromSeconds(60));
        Assert.Equal(KafkaErrorCode.None, await ProduceRetryingAsync(leaderProcess, topic, acks: -1));
    }

    [Fact(Timeout = 240_000)]
    public async Task A_follower_paused_with_sigstop_leaves_the_isr_and_acks_all_carries_on_with_two()
    {
        // A lease far longer than the lag: the leader's lag check, not the controller's fencing, removes the follower.
        await using var fleet = await ClusterFleet.StartAsync(
            controllerSettings: new Dictionary<string, string> { ["BrokerSessionTimeoutMs"] = "60000" },
            brokerSettings: new Dictionary<string, string>(Brokers) { ["ReplicaLagTimeMaxMs"] = "2000" });
        const string topic = "paused";
        await CreateAsync(fleet, topic);
        await WaitForIsrAsync(fleet, topic, 3, TimeSpan.FromSeconds(30));
        var leader = await SettledLeaderAsync(fleet, topic);
        var leaderProcess = fleet.Broker(leader);
        var pausedId = leader == ClusterFleet.FirstBrokerId ? ClusterFleet.FirstBrokerId + 1 : ClusterFleet.FirstBrokerId;
        var paused = fleet.Broker(pausedId);
        Assert.Equal(KafkaErrorCode.None, await ProduceAsync(leaderProcess, topic, acks: -1));

        await Signal(paused, "STOP");
        try
        {
            var clock = Stopwatch.StartNew();
            // Held until the paused follower leaves the ISR, then acknowledged by the two left.
            Assert.Equal(KafkaErrorCode.None, await ProduceAsync(leaderProcess, topic, acks: -1));
            output.WriteLine($"acks=all waited {clock.ElapsedMilliseconds} ms for the ISR to shrink (lag 2000 ms)");
            // The leader applies the controller's answer at once; its metadata image learns the change from the log just after.
            await ClusterFleet.WaitUntilAsync(async () =>
            {
                var (_, isr) = await ReplicaLogs.LeaderAndIsrAsync(leaderProcess, topic, 0);
                return isr.Length == 2 && !isr.Contains(pausedId);
            }, TimeSpan.FromSeconds(10), fleet.Output);
            clock.Restart();
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(KafkaErrorCode.None, await ProduceAsync(leaderProcess, topic, acks: -1));
            }
            output.WriteLine($"20 acks=all produces with two in sync took {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            await Signal(paused, "CONT");
        }
        await ClusterFleet.WaitUntilAsync(async () => (await ReplicaLogs.LeaderAndIsrAsync(leaderProcess, topic, 0)).Isr.Length == 3,
            TimeSpan.FromSeconds(30), fleet.Output);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_consumer_with_a_rack_reads_from_the_in_sync_replica_in_its_rack()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers,
            brokerSettings: new Dictionary<string, string>(Brokers) { ["ReplicaSelector"] = "rack-aware" },
            configureBroker: (id, settings) => settings["Rack"] = $"az-{id}");
        const string topic = "racked";
        await CreateAsync(fleet, topic);
        await WaitForIsrAsync(fleet, topic, 3, TimeSpan.FromSeconds(30));
        var leader = await SettledLeaderAsync(fleet, topic);
        var followerId = leader == ClusterFleet.FirstBrokerId ? ClusterFleet.FirstBrokerId + 1 : ClusterFleet.FirstBrokerId;
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fleet.BootstrapServers, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                producer.Produce(topic, new Message<Null, string> { Value = $"r{i}" });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = fleet.BootstrapServers,
            GroupId = "racked-readers",
            ClientRack = $"az-{followerId}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = Stopwatch.StartNew();
        while (values.Count < 100 && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false } result)
            {
                values.Add(result.Message.Value);
            }
        }
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"r{i}"), values);

        // The follower in the consumer's rack served the reads; the leader only pointed there.
        using var http = new HttpClient { BaseAddress = new Uri($"http://{fleet.Broker(followerId).HttpEndPoint}") };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        output.WriteLine(string.Join('\n', metrics.Split('\n').Where(l => l.Contains("partition_reads", StringComparison.Ordinal))));
        Assert.Contains("kora_broker_fetch_partition_reads_total{role=\"follower\"}", metrics, StringComparison.Ordinal);
    }

    private static async Task Signal(BrokerProcess broker, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", broker.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    private static async Task CreateAsync(ClusterFleet fleet, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = 1,
            ReplicationFactor = 3,
            Configs = new Dictionary<string, string> { ["min.insync.replicas"] = "2" },
        }]);
    }

    /// <summary>
    /// The leader once every broker in the ISR agrees on it, the leader itself included: a broker that has not
    /// applied the latest leadership change yet would answer NOT_LEADER_OR_FOLLOWER.
    /// </summary>
    private static async Task<int> SettledLeaderAsync(ClusterFleet fleet, string topic)
    {
        var settled = -1;
        await ClusterFleet.WaitUntilAsync(async () =>
        {
            var (leader, isr) = await ReplicaLogs.LeaderAndIsrAsync(fleet.Brokers[0], topic, 0);
            if (leader < 0 || isr.Length != 3)
            {
                return false;
            }
            foreach (var id in isr)
            {
                if ((await ReplicaLogs.LeaderAndIsrAsync(fleet.Broker(id), topic, 0)).Leader != leader)
                {
                    return false;
                }
            }
            settled = leader;
            return true;
        }, TimeSpan.FromSeconds(30), fleet.Output);
        return settled;
    }

    private static Task WaitForIsrAsync(ClusterFleet fleet, string topic, int size, TimeSpan timeout) =>
        ClusterFleet.WaitUntilAsync(async () =>
        {
            var (leader, isr) = await ReplicaLogs.LeaderAndIsrAsync(fleet.Brokers.First(b => b.IsRunning), topic, 0);
            return leader >= 0 && isr.Length == size;
        }, timeout, fleet.Output);

    private static long LongestGap(ConcurrentQueue<long> ackTimes, long from)
    {
        var previous = from;
        long longest = 0;
        foreach (var at in ackTimes)
        {
            if (at < from)
            {
                continue;
            }
            longest = Math.Max(longest, at - previous);
            previous = at;
        }
        return longest;
    }

    /// <summary>
    /// A produce retried, as a client retries it, while the broker briefly answers NOT_LEADER_OR_FOLLOWER: its
    /// partition takes on the leadership the metadata image already reports a moment after the image does.
    /// </summary>
    private static async Task<KafkaErrorCode> ProduceRetryingAsync(BrokerProcess broker, string topic, short acks)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var error = await ProduceAsync(broker, topic, acks);
            if (error != KafkaErrorCode.NotLeaderOrFollower || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return error;
            }
            await Task.Delay(100);
        }
    }

    private static async Task<KafkaErrorCode> ProduceAsync(BrokerProcess broker, string topic, short acks)
    {
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        var batch = new RecordBatchBuilder(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            .Add([], "guarded"u8, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), nullKey: true)
            .Build();
        var response = await client.SendAsync<ProduceResponse>(ProduceRequest.ApiKey, 9, new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = 10_000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new RecordsData(batch) }] }],
        }, flexibleRequest: true, flexibleResponse: true).WaitAsync(TimeSpan.FromSeconds(30));
        return (KafkaErrorCode)response.Responses[0].PartitionResponses[0].ErrorCode;
    }

    private static List<(long Offset, int Index)> ConsumeAll(string bootstrap, string topic, long endOffset)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "replication-check",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var consumed = new List<(long, int)>();
        var deadline = Stopwatch.StartNew();
        long next = 0;
        while (next < endOffset && deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }
            consumed.Add((result.Offset.Value, int.Parse(result.Message.Value.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)));
            next = result.Offset.Value + 1;
        }
        return consumed;
    }
}
