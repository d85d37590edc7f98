using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.IntegrationTests.Protocol;

/// <summary>Incremental fetch sessions (KIP-227), DescribeCluster and DescribeLogDirs at the wire.</summary>
public class FetchSessionAndClusterTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    [Fact]
    public async Task IncrementalFetch_ReturnsOnlyPartitionsWithNews()
    {
        var topic = $"session-{Guid.NewGuid():N}";
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var created = await client.SendAsync<CreateTopicsResponse>(19, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = 3, ReplicationFactor = 1 }],
        }, true, true);
        Assert.Equal(0, created.Topics[0].ErrorCode);

        var full = await FetchAsync(client, sessionId: 0, epoch: 0, [(topic, 0, 0L), (topic, 1, 0L), (topic, 2, 0L)]);
        Assert.NotEqual(0, full.SessionId);
        Assert.Equal(3, full.Responses.Sum(t => t.Partitions.Count));

        // Nothing changed: an incremental fetch names no partitions and gets none back.
        var quiet = await FetchAsync(client, full.SessionId, epoch: 1, []);
        Assert.Equal(0, quiet.ErrorCode);
        Assert.Empty(quiet.Responses.SelectMany(t => t.Partitions));

        var batch = new RecordBatchBuilder(0).Add("k"u8, "v"u8, 0).Build();
        var produced = await client.SendAsync<ProduceResponse>(0, 9, new ProduceRequest
        {
            Acks = 1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 1, Records = new RecordsData(batch) }] }],
        }, true, true);
        Assert.Equal(0, produced.Responses[0].PartitionResponses[0].ErrorCode);

        var news = await FetchAsync(client, full.SessionId, epoch: 2, []);
        var partition = Assert.Single(news.Responses.SelectMany(t => t.Partitions));
        Assert.Equal(1, partition.PartitionIndex);
        Assert.Equal(batch.Length, partition.Records!.Value.Length);

        var stale = await FetchAsync(client, full.SessionId, epoch: 2, []);
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, stale.ErrorCode);

        var unknown = await FetchAsync(client, sessionId: 123456, epoch: 1, []);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, unknown.ErrorCode);
    }

    [Fact]
    public async Task DescribeCluster_ListsThisBroker()
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var response = await client.SendAsync<DescribeClusterResponse>(60, 1, new DescribeClusterRequest { EndpointType = 1 }, true, true);
        Assert.Equal(0, response.ErrorCode);
        var broker = Assert.Single(response.Brokers);
        Assert.Equal(Broker.KafkaEndPoint.Port, broker.Port);
        Assert.Equal(1, response.ControllerId);
    }

    [Fact]
    public async Task DescribeLogDirs_ReportsPartitionSizes()
    {
        var topic = $"logdirs-{Guid.NewGuid():N}";
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        await client.SendAsync<CreateTopicsResponse>(19, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }],
        }, true, true);
        var batch = new RecordBatchBuilder(0).Add("k"u8, new byte[500], 0).Build();
        await client.SendAsync<ProduceResponse>(0, 9, new ProduceRequest
        {
            Acks = 1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new RecordsData(batch) }] }],
        }, true, true);
        var response = await client.SendAsync<DescribeLogDirsResponse>(35, 4, new DescribeLogDirsRequest
        {
            Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = topic, Partitions = [0] }],
        }, true, true);
        var dir = Assert.Single(response.Results);
        Assert.Equal(0, dir.ErrorCode);
        Assert.StartsWith(Broker.DataDir, dir.LogDir);
        var partition = dir.Topics.Single(t => t.Name == topic).Partitions.Single();
        Assert.Equal(batch.Length, partition.PartitionSize);
        Assert.True(dir.TotalBytes > 0);
    }

    private static Task<FetchResponse> FetchAsync(RawKafkaClient client, int sessionId, int epoch, (string Topic, int Partition, long Offset)[] partitions) =>
        client.SendAsync<FetchResponse>(1, 12, new FetchRequest
        {
            MaxWaitMs = 0,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            SessionId = sessionId,
            SessionEpoch = epoch,
            Topics = partitions.GroupBy(p => p.Topic).Select(g => new FetchRequest.FetchTopic
            {
                Topic = g.Key,
                Partitions = g.Select(p => new FetchRequest.FetchPartition { Partition = p.Partition, FetchOffset = p.Offset, PartitionMaxBytes = 1 << 20 }).ToList(),
            }).ToList(),
        }, true, true);
}
