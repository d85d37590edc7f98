using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using RecordsData = Kora.Protocol.Primitives.RecordsData;
using Kora.Protocol.Records;
using Xunit.Abstractions;
using KafkaErrorCode = Kora.Protocol.Primitives.ErrorCode;

namespace Kora.IntegrationTests.Cluster;

/// <summary>
/// Data across three brokers of one cluster: each serves only the partitions it leads, clients follow
/// the leaders, a group's coordinator is the leader of its <c>__consumer_offsets</c> partition, a killed
/// broker's partitions go offline and come back with it.
/// </summary>
public class ClusterDataTests(ITestOutputHelper output)
{
    // A short lease so a killed broker is fenced quickly.
    private static readonly Dictionary<string, string> Controllers = new() { ["BrokerSessionTimeoutMs"] = "3000" };

    [Fact(Timeout = 240_000)]
    public async Task Clients_produce_and_consume_across_brokers_and_a_group_works_with_its_coordinator_elsewhere()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers);
        const string topic = "spread";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.Brokers[0].BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 6, ReplicationFactor = 1 }]);
        }
        var partitions = (await ClusterFleet.DescribeAsync(fleet.Brokers[0])).Topics.Single(t => t.Topic == topic).Partitions;
        Assert.Equal([101, 102, 103], partitions.Select(p => p.Leader).Distinct().Order());

        // A broker that does not lead a partition refuses to serve it.
        var elsewhere = partitions.First(p => p.Leader != 101);
        await using (var raw = await RawKafkaClient.ConnectAsync(fleet.Brokers[0].KafkaEndPoint))
        {
            var listed = await raw.SendAsync<ListOffsetsResponse>(ListOffsetsRequest.ApiKey, 7, new ListOffsetsRequest
            {
                ReplicaId = -1,
                Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = elsewhere.PartitionId, Timestamp = -1 }] }],
            }, flexibleRequest: true, flexibleResponse: true);
            Assert.Equal((short)KafkaErrorCode.NotLeaderOrFollower, listed.Topics.Single().Partitions.Single().ErrorCode);

            // KIP-951: the refusal names the leader and its endpoint, so the client goes there without a metadata round trip.
            var batch = new RecordBatchBuilder(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
                .Add([], "misdirected"u8, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), nullKey: true)
                .Build();
            var produced = await raw.SendAsync<ProduceResponse>(ProduceRequest.ApiKey, 11, new ProduceRequest
            {
                Acks = -1,
                TimeoutMs = 10_000,
                TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = elsewhere.PartitionId, Records = new RecordsData(batch) }] }],
            }, flexibleRequest: true, flexibleResponse: true);
            var refused = produced.Responses.Single().PartitionResponses.Single();
            Assert.Equal((short)KafkaErrorCode.NotLeaderOrFollower, refused.ErrorCode);
            Assert.Equal(elsewhere.Leader, refused.CurrentLeader?.LeaderId);
            Assert.True(refused.CurrentLeader?.LeaderEpoch >= 0);
            var endpoint = Assert.Single(produced.NodeEndpoints);
            Assert.Equal((elsewhere.Leader, fleet.Broker(elsewhere.Leader).KafkaEndPoint.Port), (endpoint.NodeId, endpoint.Port));

            // And so does a consumer's fetch (v16: topics by id, endpoints in the answer).
            var metadata = await raw.SendAsync<MetadataResponse>(MetadataRequest.ApiKey, 12,
                new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false },
                flexibleRequest: true, flexibleResponse: true);
            var fetched = await raw.SendAsync<FetchResponse>(FetchRequest.ApiKey, 16, new FetchRequest
            {
                ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = -1, ReplicaEpoch = -1 },
                MaxWaitMs = 0,
                MaxBytes = 1 << 20,
                SessionEpoch = -1,
                Topics = [new FetchRequest.FetchTopic { TopicId = metadata.Topics.Single().TopicId, Partitions = [new FetchRequest.FetchPartition { Partition = elsewhere.PartitionId, FetchOffset = 0, CurrentLeaderEpoch = -1, LastFetchedEpoch = -1, PartitionMaxBytes = 1 << 20 }] }],
            }, flexibleRequest: true, flexibleResponse: true);
            var notHere = fetched.Responses.Single().Partitions.Single();
            Assert.Equal((short)KafkaErrorCode.NotLeaderOrFollower, notHere.ErrorCode);
            Assert.Equal(elsewhere.Leader, notHere.CurrentLeader?.LeaderId);
            var fetchEndpoint = Assert.Single(fetched.NodeEndpoints);
            Assert.Equal((elsewhere.Leader, fleet.Broker(elsewhere.Leader).KafkaEndPoint.Port), (fetchEndpoint.NodeId, fetchEndpoint.Port));
        }

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = fleet.Brokers[0].BootstrapServers, EnableIdempotence = true }).Build())
        {
            for (var i = 0; i < 300; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 6), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        // A group whose coordinator is not the broker the consumer bootstraps from.
        var group = await GroupCoordinatedElsewhereAsync(fleet.Brokers[0], notOn: 101);
        var consumed = Consume(fleet.Brokers[0].BootstrapServers, group, topic, 300);
        Assert.Equal(300, consumed.Count);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"v{i}").Order(), consumed.Order());

        using var check = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = fleet.Brokers[0].BootstrapServers, GroupId = group }).Build();
        var committed = check.Committed(Enumerable.Range(0, 6).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10));
        Assert.Equal(300, committed.Sum(c => c.Offset.Value));
    }

    [Fact(Timeout = 240_000)]
    public async Task A_killed_broker_has_its_partitions_reported_offline_until_it_restarts()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers);
        const string topic = "offline";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.Brokers[0].BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 6, ReplicationFactor = 1 }]);
        }
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fleet.BootstrapServers, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 60; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 6), new Message<Null, string> { Value = $"v{i}" });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        var victim = fleet.Broker(103);
        var led = (await ClusterFleet.DescribeAsync(fleet.Brokers[0])).Topics.Single(t => t.Topic == topic).Partitions.Where(p => p.Leader == 103).Select(p => p.PartitionId).ToList();
        Assert.NotEmpty(led);

        await victim.KillAsync();
        var offline = await ClusterFleet.WaitUntilAsync(async () =>
        {
            var metadata = (await ClusterFleet.DescribeAsync(fleet.Brokers[0]));
            var partitions = metadata.Topics.Single(t => t.Topic == topic).Partitions;
            return metadata.Brokers.All(b => b.BrokerId != 103)
                && led.All(p => partitions[p].Leader == -1 && partitions[p].Error == ErrorCode.LeaderNotAvailable);
        }, TimeSpan.FromSeconds(15), fleet.Output);
        output.WriteLine($"offline {ControllerQuorum.Ms(offline)} after the kill (lease 3000 ms)");

        await victim.StartAsync();
        // The restarted broker leads its partitions again once unfenced; the others learn it from the log.
        await ClusterFleet.WaitUntilAsync(async () =>
        {
            var back = (await ClusterFleet.DescribeAsync(fleet.Brokers[0])).Topics.Single(t => t.Topic == topic).Partitions;
            return led.All(p => back[p].Leader == 103 && back[p].Error == ErrorCode.NoError);
        }, TimeSpan.FromSeconds(10), fleet.Output);
        var consumed = Consume(fleet.BootstrapServers, "after-restart", topic, 60);
        Assert.Equal(60, consumed.Count);
    }

    [Fact(Timeout = 300_000)]
    public async Task The_whole_fleet_stops_and_restarts_with_metadata_and_data_intact()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers);
        var topics = Enumerable.Range(0, 10).Select(i => $"durable-{i}").ToList();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync(topics.Select(t => new TopicSpecification { Name = t, NumPartitions = 3, ReplicationFactor = 1 }));
        }
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fleet.BootstrapServers, Acks = Acks.All }).Build())
        {
            foreach (var topic in topics)
            {
                for (var i = 0; i < 30; i++)
                {
                    producer.Produce(new TopicPartition(topic, i % 3), new Message<Null, string> { Value = $"{topic}-{i}" });
                }
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        var before = (await ClusterFleet.DescribeAsync(fleet.Brokers[0])).Topics.Where(t => topics.Contains(t.Topic)).ToDictionary(t => t.Topic, t => t.Partitions.Select(p => p.Leader).ToList());

        foreach (var broker in fleet.Brokers)
        {
            await broker.StopAsync();
        }
        foreach (var controller in fleet.Quorum.Controllers)
        {
            await controller.StopAsync();
        }
        await Task.WhenAll(fleet.Quorum.Controllers.Select(c => c.StartAsync()));
        await Task.WhenAll(fleet.Brokers.Select(b => b.StartAsync()));

        await fleet.WaitForBrokersAsync(TimeSpan.FromSeconds(15));
        foreach (var broker in fleet.Brokers)
        {
            await ClusterFleet.WaitUntilAsync(async () =>
            {
                var after = (await ClusterFleet.DescribeAsync(broker)).Topics.Where(t => topics.Contains(t.Topic)).ToDictionary(t => t.Topic, t => t.Partitions.Select(p => p.Leader).ToList());
                return after.Count == topics.Count && topics.All(t => before[t].SequenceEqual(after[t]));
            }, TimeSpan.FromSeconds(15), fleet.Output);
        }
        foreach (var topic in topics)
        {
            Assert.Equal(30, Consume(fleet.BootstrapServers, "after-" + topic, topic, 30).Count);
        }
    }

    /// <summary>
    /// A clean stop snapshots the broker's image; topics created after it live only in its local metadata
    /// log. After a kill -9 the broker must replay that log before it judges which folders are orphans.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task A_broker_killed_after_a_snapshot_keeps_the_data_of_topics_created_since()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers);
        var broker = fleet.Broker(101);
        await broker.StopAsync();
        await broker.StartAsync();
        const string topic = "after-snapshot";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic,
                NumPartitions = 2,
                ReplicasAssignments = new Dictionary<int, List<int>> { [0] = [101], [1] = [101] },
            }]);
        }
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 20; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 2), new Message<Null, string> { Value = $"v{i}" });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        await broker.KillAsync();
        await broker.StartAsync();
        Assert.Equal(20, Consume(fleet.BootstrapServers, "after-snapshot-reader", topic, 20).Count);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_transaction_across_partitions_led_by_every_broker_commits_and_another_aborts()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: Controllers);
        const string topic = "transactional";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.Brokers[0].BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 6, ReplicationFactor = 1 }]);
        }
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fleet.BootstrapServers, TransactionalId = "cluster-txn" }).Build())
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            producer.BeginTransaction();
            for (var i = 0; i < 60; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 6), new Message<Null, string> { Value = $"committed-{i}" });
            }
            producer.CommitTransaction(TimeSpan.FromSeconds(30));
            producer.BeginTransaction();
            for (var i = 0; i < 60; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 6), new Message<Null, string> { Value = $"aborted-{i}" });
            }
            producer.AbortTransaction(TimeSpan.FromSeconds(30));
            producer.BeginTransaction();
            producer.Produce(new TopicPartition(topic, 0), new Message<Null, string> { Value = "last" });
            producer.CommitTransaction(TimeSpan.FromSeconds(30));
        }
        var consumed = Consume(fleet.BootstrapServers, "txn-reader", topic, 61, IsolationLevel.ReadCommitted);
        Assert.Equal(61, consumed.Count);
        Assert.DoesNotContain(consumed, v => v.StartsWith("aborted-", StringComparison.Ordinal));
    }

    private static List<string> Consume(string bootstrap, string group, string topic, int expected, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            IsolationLevel = isolation,
        }).Build();
        consumer.Subscribe(topic);
        var values = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (values.Count < expected && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message })
            {
                values.Add(message.Value);
            }
        }
        consumer.Commit();
        consumer.Close();
        return values;
    }

    private static async Task<string> GroupCoordinatedElsewhereAsync(BrokerProcess broker, int notOn)
    {
        await using var raw = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        for (var i = 0; ; i++)
        {
            var group = $"group-{i}";
            var found = await raw.SendAsync<FindCoordinatorResponse>(FindCoordinatorRequest.ApiKey, 4, new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = [group] },
                flexibleRequest: true, flexibleResponse: true);
            var coordinator = found.Coordinators.Single();
            if (coordinator.ErrorCode == 0 && coordinator.NodeId != notOn)
            {
                return group;
            }
            if (coordinator.ErrorCode != 0)
            {
                await Task.Delay(100);
            }
        }
    }
}
