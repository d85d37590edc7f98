using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Groups;

/// <summary>Classic consumer groups with Confluent.Kafka (librdkafka 2.15): rebalances, commits, static members, admin.</summary>
public class ConsumerGroupTests(GroupFixture fixture) : IClassFixture<GroupFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(25);

    private string Bootstrap => fixture.Broker.BootstrapServers;

    private async Task<string> CreateTopicAsync(string bootstrap, int partitions)
    {
        var name = $"grp-{Guid.NewGuid():N}";
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

    private static ConsumerConfig Config(string bootstrap, string group, string? instance = null, PartitionAssignmentStrategy strategy = PartitionAssignmentStrategy.Range) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        GroupInstanceId = instance,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchWaitMaxMs = 100,
        HeartbeatIntervalMs = 300,
        SessionTimeoutMs = 10000,
        PartitionAssignmentStrategy = strategy,
    };

    /// <summary>A consumer on its own thread that commits every message synchronously and records what it processed.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        public IConsumer<string, string> Consumer { get; }
        public int Revocations;
        public int Assignments;

        public Worker(ConsumerConfig config, string topic, ConcurrentDictionary<(int, long), int> processed)
        {
            Consumer = new ConsumerBuilder<string, string>(config)
                .SetPartitionsAssignedHandler((_, _) => Interlocked.Increment(ref Assignments))
                .SetPartitionsRevokedHandler((_, _) => Interlocked.Increment(ref Revocations))
                .Build();
            Consumer.Subscribe(topic);
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var result = Consumer.Consume(100);
                    if (result?.Message is null)
                    {
                        continue;
                    }
                    processed.AddOrUpdate((result.Partition.Value, result.Offset.Value), 1, (_, n) => n + 1);
                    Consumer.Commit(result);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public List<int> Assigned => [.. Consumer.Assignment.Select(tp => tp.Partition.Value)];

        public void Stop(bool close = true)
        {
            _stop.Cancel();
            _thread.Join(TimeSpan.FromSeconds(10));
            if (close)
            {
                Consumer.Close();
            }
        }

        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
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

    [Fact]
    public async Task ThreeConsumers_ShareSixPartitions_AndTakeOverWhenOneCloses()
    {
        var topic = await CreateTopicAsync(Bootstrap, 6);
        var group = $"g-{Guid.NewGuid():N}";
        Produce(Bootstrap, topic, 6, 0, 300);
        var processed = new ConcurrentDictionary<(int, long), int>();
        var workers = Enumerable.Range(0, 3).Select(_ => new Worker(Config(Bootstrap, group), topic, processed)).ToList();
        try
        {
            await WaitUntil(() => processed.Count == 300 && workers.All(w => w.Assigned.Count == 2), "300 messages and a 2/2/2 assignment");
            var all = workers.SelectMany(w => w.Assigned).Order().ToList();
            Assert.Equal([0, 1, 2, 3, 4, 5], all);

            workers[0].Stop();
            await WaitUntil(() => workers.Skip(1).Sum(w => w.Assigned.Count) == 6, "the two survivors to own all partitions");
            Produce(Bootstrap, topic, 6, 300, 300);
            await WaitUntil(() => processed.Count == 600, "600 messages");
            Assert.All(processed.Values, n => Assert.Equal(1, n));
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task Joins_CleanLeave_AndCrashedMember_EveryMessageProcessedExactlyOnce()
    {
        var topic = await CreateTopicAsync(Bootstrap, 6);
        var group = $"g-{Guid.NewGuid():N}";
        Produce(Bootstrap, topic, 6, 0, 300);
        var processed = new ConcurrentDictionary<(int, long), int>();
        // The broker's minimum session timeout: a crashed member is noticed after 6 s.
        var config = Config(Bootstrap, group);
        config.SessionTimeoutMs = 6000;
        var a = new Worker(config, topic, processed);
        var b = new Worker(config, topic, processed);
        Worker? c = null;
        try
        {
            await WaitUntil(() => processed.Count == 300 && a.Assigned.Count == 3 && b.Assigned.Count == 3, "300 messages and a 3/3 assignment");
            c = new Worker(config, topic, processed);
            Produce(Bootstrap, topic, 6, 300, 300);
            await WaitUntil(() => processed.Count == 600 && a.Assigned.Count == 2 && b.Assigned.Count == 2 && c.Assigned.Count == 2, "600 messages and a 2/2/2 assignment");

            a.Stop();
            await WaitUntil(() => b.Assigned.Count + c.Assigned.Count == 6, "b and c to own all partitions after a left");

            // A crash: no LeaveGroup, the coordinator has to notice the missing heartbeats.
            b.Stop(close: false);
            b.Dispose();
            await WaitUntil(() => c.Assigned.Count == 6, "c to own all partitions after b's session expired");
            Produce(Bootstrap, topic, 6, 600, 300);
            await WaitUntil(() => processed.Count == 900, "900 messages");
            await Task.Delay(500);
            Assert.All(processed.Values, n => Assert.Equal(1, n));
        }
        finally
        {
            a.Dispose();
            b.Dispose();
            c?.Dispose();
        }
    }

    [Fact]
    public async Task StaticMember_RestartedWithinSessionTimeout_KeepsAssignmentWithoutRebalance()
    {
        var topic = await CreateTopicAsync(Bootstrap, 4);
        var group = $"g-{Guid.NewGuid():N}";
        var processed = new ConcurrentDictionary<(int, long), int>();
        using var a = new Worker(Config(Bootstrap, group, "static-a"), topic, processed);
        var b = new Worker(Config(Bootstrap, group, "static-b"), topic, processed);
        await WaitUntil(() => a.Assigned.Count == 2 && b.Assigned.Count == 2, "a 2/2 assignment");
        var before = b.Assigned.Order().ToList();
        var assignmentsOfA = a.Assignments;
        b.Stop(close: false);
        b.Dispose();
        using var b2 = new Worker(Config(Bootstrap, group, "static-b"), topic, processed);
        await WaitUntil(() => b2.Assigned.Count == 2, "the restarted member's assignment");
        Assert.Equal(before, b2.Assigned.Order().ToList());
        await Task.Delay(1000);
        Assert.Equal(assignmentsOfA, a.Assignments);
        Assert.Equal(0, a.Revocations);
    }

    [Fact]
    public async Task CooperativeSticky_IncrementalRebalance()
    {
        var topic = await CreateTopicAsync(Bootstrap, 4);
        var group = $"g-{Guid.NewGuid():N}";
        Produce(Bootstrap, topic, 4, 0, 100);
        var processed = new ConcurrentDictionary<(int, long), int>();
        using var a = new Worker(Config(Bootstrap, group, strategy: PartitionAssignmentStrategy.CooperativeSticky), topic, processed);
        await WaitUntil(() => a.Assigned.Count == 4 && processed.Count == 100, "a alone to own and read everything");
        using var b = new Worker(Config(Bootstrap, group, strategy: PartitionAssignmentStrategy.CooperativeSticky), topic, processed);
        await WaitUntil(() => a.Assigned.Count == 2 && b.Assigned.Count == 2, "an incremental 2/2 split");
        Produce(Bootstrap, topic, 4, 100, 100);
        await WaitUntil(() => processed.Count == 200, "200 messages");
        Assert.All(processed.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task CommittedOffsets_SurviveBrokerCrash()
    {
        await using var broker = await BrokerProcess.StartAsync(GroupFixture.Settings);
        var topic = await CreateTopicAsync(broker.BootstrapServers, 2);
        var group = $"g-{Guid.NewGuid():N}";
        Produce(broker.BootstrapServers, topic, 2, 0, 100);
        var processed = new ConcurrentDictionary<(int, long), int>();
        using (var first = new Worker(Config(broker.BootstrapServers, group), topic, processed))
        {
            await WaitUntil(() => processed.Count == 100, "100 messages");
            first.Stop();
        }
        // kill -9: a commit that was acknowledged must already be on disk.
        await broker.KillAsync();
        await broker.StartAsync();
        Produce(broker.BootstrapServers, topic, 2, 100, 50);
        using (var second = new Worker(Config(broker.BootstrapServers, group), topic, processed))
        {
            await WaitUntil(() => processed.Count == 150, "the 50 new messages");
            await Task.Delay(500);
        }
        Assert.All(processed.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Admin_ListsDescribesAndDeletesGroups()
    {
        var topic = await CreateTopicAsync(Bootstrap, 2);
        var group = $"g-{Guid.NewGuid():N}";
        Produce(Bootstrap, topic, 2, 0, 10);
        var processed = new ConcurrentDictionary<(int, long), int>();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        using (var worker = new Worker(Config(Bootstrap, group), topic, processed))
        {
            await WaitUntil(() => processed.Count == 10, "10 messages");
            var listed = await admin.ListConsumerGroupsAsync();
            var mine = Assert.Single(listed.Valid, g => g.GroupId == group);
            Assert.Equal(ConsumerGroupState.Stable, mine.State);
            var described = await admin.DescribeConsumerGroupsAsync([group]);
            var description = Assert.Single(described.ConsumerGroupDescriptions);
            Assert.Equal("range", description.PartitionAssignor);
            var member = Assert.Single(description.Members);
            Assert.Equal(2, member.Assignment.TopicPartitions.Count);
            await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([group]));
            worker.Stop();
        }
        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        Assert.Equal(10, offsets.Single().Partitions.Sum(p => p.Offset.Value));
        await admin.DeleteGroupsAsync([group]);
        var after = await admin.ListConsumerGroupsAsync();
        Assert.DoesNotContain(after.Valid, g => g.GroupId == group);
    }

    [Fact]
    public async Task Kcat_BalancedConsumerGroup_Consumes()
    {
        var topic = await CreateTopicAsync(Bootstrap, 3);
        Produce(Bootstrap, topic, 3, 0, 30);
        var result = await ExternalCommand.RunAsync("timeout",
            ["20", "kcat", "-b", Bootstrap, "-G", $"g-{Guid.NewGuid():N}", "-o", "beginning", "-e", "-f", "%s\\n", "-X", "heartbeat.interval.ms=300", topic]);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(30, lines.Distinct().Count());
    }
}
