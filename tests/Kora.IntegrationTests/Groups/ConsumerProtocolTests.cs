using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Groups;

/// <summary>
/// Consumer-protocol groups (KIP-848, <c>group.protocol=consumer</c>) with Confluent.Kafka (librdkafka 2.15):
/// the broker assigns, members reconcile incrementally, leave, time out, and the group survives a restart.
/// </summary>
public class ConsumerProtocolTests(ConsumerProtocolFixture fixture) : IClassFixture<ConsumerProtocolFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private string Bootstrap => fixture.Broker.BootstrapServers;

    private static async Task<string> CreateTopicAsync(string bootstrap, int partitions, string? name = null)
    {
        name ??= $"kip848-{Guid.NewGuid():N}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return name;
    }

    private static void Produce(string bootstrap, string topic, int partitions, int from, int count)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
        for (var i = from; i < from + count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(10)));
    }

    private static ConsumerConfig Config(string bootstrap, string group, string? assignor = null) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        GroupProtocol = GroupProtocol.Consumer,
        GroupRemoteAssignor = assignor,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchWaitMaxMs = 100,
        TopicMetadataRefreshIntervalMs = 1000,
    };

    /// <summary>A consumer on its own thread that commits every message synchronously and records what it processed.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private readonly Lock _lock = new();
        private readonly HashSet<TopicPartition> _assigned = [];
        public IConsumer<string, string> Consumer { get; }
        public int Revocations;

        public Worker(ConsumerConfig config, string subscription, ConcurrentDictionary<(string, int, long), int> processed)
        {
            Consumer = new ConsumerBuilder<string, string>(config)
                .SetPartitionsAssignedHandler((_, added) => { lock (_lock) { _assigned.UnionWith(added); } })
                .SetPartitionsRevokedHandler((_, removed) =>
                {
                    Interlocked.Increment(ref Revocations);
                    lock (_lock) { _assigned.ExceptWith(removed.Select(r => r.TopicPartition)); }
                })
                .SetPartitionsLostHandler((_, lost) => { lock (_lock) { _assigned.ExceptWith(lost.Select(r => r.TopicPartition)); } })
                .Build();
            Consumer.Subscribe(subscription);
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        var result = Consumer.Consume(100);
                        if (result?.Message is null)
                        {
                            continue;
                        }
                        processed.AddOrUpdate((result.Topic, result.Partition.Value, result.Offset.Value), 1, (_, n) => n + 1);
                        Consumer.Commit(result);
                    }
                    catch (KafkaException)
                    {
                        // A commit racing a revocation fails; the next owner reads from the last committed offset.
                    }
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public List<TopicPartition> Assigned
        {
            get
            {
                lock (_lock)
                {
                    return [.. _assigned];
                }
            }
        }

        public string MemberId => Consumer.MemberId;

        public void Stop(bool close = true)
        {
            _stop.Cancel();
            _thread.Join(TimeSpan.FromSeconds(10));
            if (close)
            {
                Consumer.Close();
            }
        }

        public void Dispose()
        {
            if (!_stop.IsCancellationRequested)
            {
                Stop();
            }
            Consumer.Dispose();
        }
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "Timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    private static async Task<ConsumerGroupDescription> DescribeAsync(string bootstrap, string group)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var described = await admin.DescribeConsumerGroupsAsync([group]);
        return Assert.Single(described.ConsumerGroupDescriptions);
    }

    [Fact]
    public async Task ThreeConsumers_ConsumeEveryPartitionOnce_AndALeaversPartitionsMove()
    {
        var topic = await CreateTopicAsync(Bootstrap, 6);
        var group = $"g-{Guid.NewGuid():N}";
        Produce(Bootstrap, topic, 6, 0, 300);
        var processed = new ConcurrentDictionary<(string, int, long), int>();
        var workers = Enumerable.Range(0, 3).Select(_ => new Worker(Config(Bootstrap, group), topic, processed)).ToList();
        try
        {
            await WaitUntil(() => processed.Count == 300 && workers.All(w => w.Assigned.Count == 2), "300 messages and a 2/2/2 assignment");
            Assert.Equal([0, 1, 2, 3, 4, 5], workers.SelectMany(w => w.Assigned).Select(tp => tp.Partition.Value).Order().ToList());

            var leaving = workers[0].Assigned;
            workers[0].Stop();
            await WaitUntil(() => workers.Skip(1).Sum(w => w.Assigned.Count) == 6, "the two survivors to own all six partitions");
            Assert.All(leaving, tp => Assert.Contains(workers.Skip(1), w => w.Assigned.Contains(tp)));
            Produce(Bootstrap, topic, 6, 300, 300);
            await WaitUntil(() => processed.Count == 600, "600 messages");
            Assert.All(processed.Values, n => Assert.Equal(1, n));
            var description = await DescribeAsync(Bootstrap, group);
            Assert.Equal(2, description.Members.Count);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task KilledConsumer_IsFencedAfterTheSessionTimeout()
    {
        var topic = await CreateTopicAsync(Bootstrap, 4);
        var group = $"g-{Guid.NewGuid():N}";
        var processed = new ConcurrentDictionary<(string, int, long), int>();
        using var survivor = new Worker(Config(Bootstrap, group), topic, processed);
        var victim = new Worker(Config(Bootstrap, group), topic, processed);
        await WaitUntil(() => survivor.Assigned.Count == 2 && victim.Assigned.Count == 2, "a 2/2 assignment");
        var killedAt = Stopwatch.StartNew();
        victim.Stop(close: false);
        victim.Dispose();
        await WaitUntil(() => survivor.Assigned.Count == 4, "the survivor to own every partition");
        // Disposed without closing, the member never said goodbye: only the 4 s session timeout removes it.
        Assert.True(killedAt.ElapsedMilliseconds >= 3000, $"reassigned after {killedAt.ElapsedMilliseconds} ms");
        var description = await DescribeAsync(Bootstrap, group);
        var member = Assert.Single(description.Members);
        Assert.Equal(survivor.MemberId, member.ConsumerId);
    }

    [Fact]
    public async Task AdminClient_DescribesAndListsTheConsumerGroup()
    {
        var topic = await CreateTopicAsync(Bootstrap, 4);
        var group = $"g-{Guid.NewGuid():N}";
        var processed = new ConcurrentDictionary<(string, int, long), int>();
        using var a = new Worker(Config(Bootstrap, group, "range"), topic, processed);
        using var b = new Worker(Config(Bootstrap, group, "range"), topic, processed);
        await WaitUntil(() => a.Assigned.Count == 2 && b.Assigned.Count == 2, "a 2/2 assignment");

        var description = await DescribeAsync(Bootstrap, group);
        Assert.Equal(ConsumerGroupType.Consumer, description.GroupType);
        Assert.Equal(ConsumerGroupState.Stable, description.State);
        Assert.Equal("range", description.PartitionAssignor);
        Assert.Equal(new[] { a.MemberId, b.MemberId }.Order(), description.Members.Select(m => m.ConsumerId).Order());
        foreach (var m in description.Members)
        {
            var mine = (m.ConsumerId == a.MemberId ? a : b).Assigned.Select(tp => tp.Partition.Value).Order().ToList();
            Assert.Equal(mine, m.Assignment.TopicPartitions.Select(tp => tp.Partition.Value).Order());
            Assert.Equal(mine, m.TargetAssignment!.TopicPartitions.Select(tp => tp.Partition.Value).Order());
            Assert.All(m.Assignment.TopicPartitions, tp => Assert.Equal(topic, tp.Topic));
        }
        // Range gives each member a contiguous block.
        Assert.Contains(description.Members, m => m.Assignment.TopicPartitions.Select(tp => tp.Partition.Value).Order().SequenceEqual([0, 1]));

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        var consumers = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Consumer] });
        var listed = Assert.Single(consumers.Valid, g => g.GroupId == group);
        Assert.Equal(ConsumerGroupType.Consumer, listed.Type);
        var classic = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Classic] });
        Assert.DoesNotContain(classic.Valid, g => g.GroupId == group);
    }

    [Fact]
    public async Task RegexSubscription_PicksUpNewTopicsAndPartitions()
    {
        var prefix = $"rx{Guid.NewGuid():N}"[..12];
        var first = await CreateTopicAsync(Bootstrap, 2, $"{prefix}-a");
        var group = $"g-{Guid.NewGuid():N}";
        var processed = new ConcurrentDictionary<(string, int, long), int>();
        using var worker = new Worker(Config(Bootstrap, group), $"^{prefix}-.*", processed);
        await WaitUntil(() => worker.Assigned.Count == 2, "the two partitions of the first topic");

        var second = await CreateTopicAsync(Bootstrap, 3, $"{prefix}-b");
        await WaitUntil(() => worker.Assigned.Count == 5, "the partitions of a topic created after subscribing");
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build())
        {
            await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = first, IncreaseTo = 4 }]);
        }
        await WaitUntil(() => worker.Assigned.Count == 7, "the partitions added to the first topic");
        Produce(Bootstrap, first, 4, 0, 40);
        Produce(Bootstrap, second, 3, 0, 30);
        await WaitUntil(() => processed.Count == 70, "70 messages over both topics");
    }

    [Fact]
    public async Task GroupAndOffsets_SurviveABrokerRestart()
    {
        var settings = new Dictionary<string, string> { ["GroupConsumerHeartbeatIntervalMs"] = "300" };
        await using var broker = await BrokerProcess.StartAsync(settings);
        var bootstrap = broker.BootstrapServers;
        var topic = await CreateTopicAsync(bootstrap, 4);
        var group = $"g-{Guid.NewGuid():N}";
        Produce(bootstrap, topic, 4, 0, 100);
        var processed = new ConcurrentDictionary<(string, int, long), int>();
        using var a = new Worker(Config(bootstrap, group), topic, processed);
        using var b = new Worker(Config(bootstrap, group), topic, processed);
        await WaitUntil(() => processed.Count == 100 && a.Assigned.Count == 2 && b.Assigned.Count == 2, "100 messages and a 2/2 assignment");
        var before = await DescribeAsync(bootstrap, group);
        var assignedBefore = a.Assigned.Concat(b.Assigned).ToHashSet();

        await broker.StopAsync();
        await broker.StartAsync();

        var after = await DescribeAsync(bootstrap, group);
        Assert.Equal(ConsumerGroupType.Consumer, after.GroupType);
        Assert.Equal(before.Members.Select(m => m.ConsumerId).Order(), after.Members.Select(m => m.ConsumerId).Order());
        foreach (var m in after.Members)
        {
            var old = before.Members.Single(x => x.ConsumerId == m.ConsumerId);
            Assert.Equal(old.Assignment.TopicPartitions.Order(), m.Assignment.TopicPartitions.Order());
        }
        Produce(bootstrap, topic, 4, 100, 100);
        await WaitUntil(() => processed.Count == 200, "the 100 messages produced after the restart");
        Assert.All(processed.Values, n => Assert.Equal(1, n));
        Assert.Equal(assignedBefore, a.Assigned.Concat(b.Assigned).ToHashSet());

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        Assert.Equal(200, offsets.Single().Partitions.Sum(p => p.Offset.Value));
    }
}
