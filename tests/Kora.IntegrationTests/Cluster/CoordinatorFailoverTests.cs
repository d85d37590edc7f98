using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kora.IntegrationTests.Cluster;

/// <summary>
/// The coordinators' own topics are replicated three ways and their writes are acknowledged only once the
/// in-sync replicas hold them: killing (kill -9) the broker leading a group's <c>__consumer_offsets</c>
/// partition, or a transactional id's <c>__transaction_state</c> partition, loses no committed offset and
/// no transaction state; the clients find the new coordinator on a surviving replica and carry on.
/// </summary>
public class CoordinatorFailoverTests(ITestOutputHelper output)
{
    // A short lease so the killed broker is fenced (and its leaderships moved) quickly; few internal partitions
    // so the loaded machine replicates little besides what the test looks at.
    private static readonly Dictionary<string, string> Controllers = new() { ["BrokerSessionTimeoutMs"] = "2000" };
    private static readonly Dictionary<string, string> Brokers = new()
    {
        ["BrokerHeartbeatIntervalMs"] = "500",
        ["ReplicaLagTimeMaxMs"] = "10000",
        ["ReplicaFetchBackoffMs"] = "200",
        ["OffsetsTopicNumPartitions"] = "5",
        ["TransactionStateLogNumPartitions"] = "5",
        ["Logging:LogLevel:Kora"] = "Information",
    };

    private const int InternalPartitions = 5;

    [Fact(Timeout = 300_000)]
    public async Task Committed_offsets_survive_killing_the_group_coordinator()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers, brokerSettings: Brokers);
        const string topic = "offsets-source";
        const string group = "durable-group";
        await CreateAsync(fleet, topic, partitions: 3);
        await ProduceAsync(fleet, topic, 600);

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = fleet.BootstrapServers,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 30_000,
            TopicMetadataRefreshIntervalMs = 1000,
        }).Build();
        consumer.Subscribe(topic);
        var committed = new Dictionary<int, long>();
        ConsumeAndCommit(consumer, topic, committed, 300, TimeSpan.FromSeconds(90));
        output.WriteLine($"committed before the kill: {Describe(committed)}");

        var offsetsPartition = PartitionFor(group);
        var (coordinator, isr) = await ReplicaLogs.LeaderAndIsrAsync(fleet.Brokers[0], "__consumer_offsets", offsetsPartition);
        output.WriteLine($"__consumer_offsets-{offsetsPartition}: leader {coordinator}, ISR [{string.Join(", ", isr)}]");
        Assert.Equal(3, (await ReplicaLogs.ReplicasAsync(fleet.Brokers[0], "__consumer_offsets", offsetsPartition)).Length);
        var victim = fleet.Broker(coordinator);
        await victim.KillAsync();
        var clock = Stopwatch.StartNew();

        // Every acknowledged commit is still there, read back through whichever broker coordinates the group now.
        var survivors = fleet.Brokers.First(b => b.IsRunning);
        await ClusterFleet.WaitUntilAsync(async () =>
        {
            var (leader, _) = await ReplicaLogs.LeaderAndIsrAsync(survivors, "__consumer_offsets", offsetsPartition);
            return leader >= 0 && leader != coordinator;
        }, TimeSpan.FromSeconds(60), fleet.Output);
        var readBack = CommittedWithRetries(consumer, topic, TimeSpan.FromSeconds(90));
        output.WriteLine($"read back {clock.ElapsedMilliseconds} ms after the kill: {Describe(readBack)}");
        foreach (var (partition, offset) in committed)
        {
            Assert.Equal(offset, readBack[partition]);
        }

        // The group carries on with its new coordinator: the rest is consumed and committed.
        ConsumeAndCommit(consumer, topic, committed, 600, TimeSpan.FromSeconds(120));
        var final = CommittedWithRetries(consumer, topic, TimeSpan.FromSeconds(60));
        Assert.Equal(600, final.Values.Sum());
        consumer.Close();
        await victim.StartAsync();
    }

    [Fact(Timeout = 300_000)]
    public async Task A_committed_transaction_survives_killing_the_transaction_coordinator()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers, brokerSettings: Brokers);
        const string topic = "txn-durable";
        const string transactionalId = "durable-txn";
        await CreateAsync(fleet, topic, partitions: 3);

        var config = new ProducerConfig
        {
            BootstrapServers = fleet.BootstrapServers,
            TransactionalId = transactionalId,
            TopicMetadataRefreshIntervalMs = 1000,
            MessageTimeoutMs = 60_000,
        };
        using var first = new ProducerBuilder<Null, string>(config).Build();
        first.InitTransactions(TimeSpan.FromSeconds(60));
        first.BeginTransaction();
        for (var i = 0; i < 60; i++)
        {
            first.Produce(new TopicPartition(topic, i % 3), new Message<Null, string> { Value = $"first-{i}" });
        }
        first.CommitTransaction(TimeSpan.FromSeconds(60));

        var statePartition = PartitionFor(transactionalId);
        var (coordinator, isr) = await ReplicaLogs.LeaderAndIsrAsync(fleet.Brokers[0], "__transaction_state", statePartition);
        output.WriteLine($"__transaction_state-{statePartition}: leader {coordinator}, ISR [{string.Join(", ", isr)}]");
        Assert.Equal(3, (await ReplicaLogs.ReplicasAsync(fleet.Brokers[0], "__transaction_state", statePartition)).Length);
        await fleet.Broker(coordinator).KillAsync();
        var clock = Stopwatch.StartNew();

        // A new producer with the same id: InitProducerId at the new coordinator bumps the epoch, which fences the first.
        using var second = new ProducerBuilder<Null, string>(config).Build();
        InitWithRetries(second, TimeSpan.FromSeconds(120));
        output.WriteLine($"new producer initialised {clock.ElapsedMilliseconds} ms after the kill");
        var fenced = Assert.ThrowsAny<KafkaException>(() =>
        {
            first.BeginTransaction();
            first.Produce(new TopicPartition(topic, 0), new Message<Null, string> { Value = "zombie" });
            first.CommitTransaction(TimeSpan.FromSeconds(60));
        });
        output.WriteLine($"the first producer: {fenced.Error.Code} {fenced.Error.Reason}");

        second.BeginTransaction();
        for (var i = 0; i < 60; i++)
        {
            second.Produce(new TopicPartition(topic, i % 3), new Message<Null, string> { Value = $"second-{i}" });
        }
        second.CommitTransaction(TimeSpan.FromSeconds(60));

        var consumed = ConsumeCommitted(fleet.BootstrapServers, topic, 120, TimeSpan.FromSeconds(90));
        Assert.Equal(120, consumed.Count);
        Assert.Equal(120, consumed.Distinct().Count());
        Assert.Equal(60, consumed.Count(v => v.StartsWith("first-", StringComparison.Ordinal)));
        Assert.Equal(60, consumed.Count(v => v.StartsWith("second-", StringComparison.Ordinal)));
        Assert.DoesNotContain("zombie", consumed);
    }

    /// <summary>Kafka's placement of a group or transactional id: abs(Java hashCode) modulo the partition count.</summary>
    private static int PartitionFor(string id)
    {
        var hash = 0;
        foreach (var c in id)
        {
            hash = unchecked((31 * hash) + c);
        }
        return (hash == int.MinValue ? 0 : Math.Abs(hash)) % InternalPartitions;
    }

    /// <summary>
    /// Consumes until the committed positions add up to <paramref name="total"/> records, committing synchronously
    /// every ten records and whenever the consumer is idle. After a rebalance a record may come again from the
    /// last commit; the committed positions, not the count of records seen, say how far the group got.
    /// </summary>
    private static void ConsumeAndCommit(IConsumer<Ignore, string> consumer, string topic, Dictionary<int, long> committed, long total, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var pending = new Dictionary<int, long>();
        var sinceCommit = 0;
        while (committed.Values.Sum() < total && deadline.Elapsed < timeout)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is { Message: not null })
            {
                pending[result.Partition.Value] = result.Offset.Value + 1;
                sinceCommit++;
            }
            if (pending.Count > 0 && (sinceCommit >= 10 || result is null || committed.Values.Sum() + sinceCommit >= total))
            {
                CommitWithRetries(consumer, topic, pending, deadline, timeout);
                foreach (var (partition, offset) in pending)
                {
                    committed[partition] = offset;
                }
                pending.Clear();
                sinceCommit = 0;
            }
        }
        Assert.True(committed.Values.Sum() >= total, $"the group committed {committed.Values.Sum()} of {total} records in {timeout}");
    }

    private static void CommitWithRetries(IConsumer<Ignore, string> consumer, string topic, Dictionary<int, long> offsets, Stopwatch deadline, TimeSpan timeout)
    {
        var toCommit = offsets.Select(o => new TopicPartitionOffset(topic, o.Key, o.Value)).ToList();
        while (true)
        {
            try
            {
                consumer.Commit(toCommit);
                return;
            }
            catch (KafkaException) when (deadline.Elapsed < timeout)
            {
                // The coordinator moved or is loading: the commit was not acknowledged, so it is retried.
                Thread.Sleep(200);
            }
        }
    }

    private static Dictionary<int, long> CommittedWithRetries(IConsumer<Ignore, string> consumer, string topic, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)).ToList();
        while (true)
        {
            try
            {
                return consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
            }
            catch (KafkaException) when (deadline.Elapsed < timeout)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static void InitWithRetries(IProducer<Null, string> producer, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                producer.InitTransactions(TimeSpan.FromSeconds(20));
                return;
            }
            catch (KafkaRetriableException) when (deadline.Elapsed < timeout)
            {
            }
            catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_TimedOut && deadline.Elapsed < timeout)
            {
            }
        }
    }

    private static async Task CreateAsync(ClusterFleet fleet, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = partitions,
            ReplicationFactor = 3,
            Configs = new Dictionary<string, string> { ["min.insync.replicas"] = "2" },
        }]);
    }

    private static async Task ProduceAsync(ClusterFleet fleet, string topic, int count)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fleet.BootstrapServers, Acks = Acks.All, LingerMs = 5 }).Build();
        var sends = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            sends.Add(producer.ProduceAsync(new TopicPartition(topic, i % 3), new Message<Null, string> { Value = $"m{i}" }));
        }
        try
        {
            await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            var pending = sends.Count(s => !s.IsCompleted);
            throw new TimeoutException($"{pending} of {count} produces unanswered after 60 s\n{fleet.Output()}");
        }
    }

    private static List<string> ConsumeCommitted(string bootstrap, string topic, int expected, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "txn-durable-reader",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
        }).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var values = new List<string>();
        var deadline = Stopwatch.StartNew();
        // A little past the expected count, so a record that should not be there would show.
        var quiet = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout && (values.Count < expected || quiet.Elapsed < TimeSpan.FromSeconds(3)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message })
            {
                values.Add(message.Value);
                quiet.Restart();
            }
        }
        return values;
    }

    private static string Describe(Dictionary<int, long> offsets) => string.Join(", ", offsets.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value}"));
}
