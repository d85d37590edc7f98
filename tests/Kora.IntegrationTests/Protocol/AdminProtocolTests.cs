using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.IntegrationTests.Protocol;

/// <summary>Admin and offset APIs at the exact versions and options clients use, through the bare protocol client.</summary>
public class AdminProtocolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    private async Task<(RawKafkaClient Client, string Topic, Guid Id)> NewTopicAsync(int partitions = 1, bool validateOnly = false)
    {
        var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var topic = $"admin-{Guid.NewGuid():N}";
        var created = await client.SendAsync<CreateTopicsResponse>(19, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = -1 }],
            validateOnly = validateOnly,
        }, true, true);
        Assert.Equal(0, created.Topics[0].ErrorCode);
        Assert.Equal(partitions, created.Topics[0].NumPartitions);
        return (client, topic, created.Topics[0].TopicId);
    }

    [Fact]
    public async Task CreateTopics_ValidateOnly_CreatesNothing()
    {
        var (client, topic, _) = await NewTopicAsync(partitions: 4, validateOnly: true);
        await using var _ = client;
        var metadata = await client.SendAsync<MetadataResponse>(3, 12, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }],
            AllowAutoTopicCreation = false,
        }, true, true);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, metadata.Topics[0].ErrorCode);
    }

    [Fact]
    public async Task CreateTopics_InvalidName_IsInvalidTopicException()
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var created = await client.SendAsync<CreateTopicsResponse>(19, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "bad/name", NumPartitions = 1, ReplicationFactor = 1 }],
        }, true, true);
        Assert.Equal((short)ErrorCode.InvalidTopicException, created.Topics[0].ErrorCode);
        Assert.NotNull(created.Topics[0].ErrorMessage);
    }

    [Fact]
    public async Task DeleteTopics_ById_RemovesTheTopic()
    {
        var (client, topic, id) = await NewTopicAsync();
        await using var _ = client;
        var deleted = await client.SendAsync<DeleteTopicsResponse>(20, 6, new DeleteTopicsRequest
        {
            Topics = [new DeleteTopicsRequest.DeleteTopicState { TopicId = id }],
            TimeoutMs = 5000,
        }, true, true);
        Assert.Equal(0, deleted.Responses[0].ErrorCode);
        Assert.Equal(topic, deleted.Responses[0].Name);
        var again = await client.SendAsync<DeleteTopicsResponse>(20, 6, new DeleteTopicsRequest
        {
            Topics = [new DeleteTopicsRequest.DeleteTopicState { TopicId = id }],
            TimeoutMs = 5000,
        }, true, true);
        Assert.Equal((short)ErrorCode.UnknownTopicId, again.Responses[0].ErrorCode);
    }

    [Fact]
    public async Task AlterConfigs_Legacy_ReplacesOverrides_AndRejectsBadValues()
    {
        var (client, topic, _) = await NewTopicAsync();
        await using var _ = client;
        var ok = await client.SendAsync<AlterConfigsResponse>(33, 1, new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = 2,
                    ResourceName = topic,
                    Configs = [new AlterConfigsRequest.AlterableConfig { Name = "retention.ms", Value = "1000" }],
                },
            ],
        }, false, false);
        Assert.Equal(0, ok.Responses[0].ErrorCode);
        var bad = await client.SendAsync<AlterConfigsResponse>(33, 1, new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = 2,
                    ResourceName = topic,
                    Configs = [new AlterConfigsRequest.AlterableConfig { Name = "cleanup.policy", Value = "shred" }],
                },
            ],
        }, false, false);
        Assert.Equal((short)ErrorCode.InvalidConfig, bad.Responses[0].ErrorCode);
    }

    [Fact]
    public async Task ListOffsets_EarliestLatestAndMaxTimestamp()
    {
        var (client, topic, _) = await NewTopicAsync();
        await using var _ = client;
        foreach (var timestamp in new long[] { 1_000, 5_000, 3_000 })
        {
            var batch = new RecordBatchBuilder(timestamp).Add("k"u8, "v"u8, timestamp).Build();
            var produced = await client.SendAsync<ProduceResponse>(0, 9, Produce(topic, batch, acks: 1), true, true);
            Assert.Equal(0, produced.Responses[0].PartitionResponses[0].ErrorCode);
        }
        async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> Lookup(long timestamp) =>
            (await client.SendAsync<ListOffsetsResponse>(2, 8, new ListOffsetsRequest
            {
                ReplicaId = -1,
                Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }] }],
            }, true, true)).Topics[0].Partitions[0];

        Assert.Equal(0, (await Lookup(-2)).Offset);
        Assert.Equal(3, (await Lookup(-1)).Offset);
        var max = await Lookup(-3);
        Assert.Equal(1, max.Offset);
        Assert.Equal(5_000, max.Timestamp);
        Assert.Equal(1, (await Lookup(4_000)).Offset);
        Assert.Equal(-1, (await Lookup(6_000)).Offset);
    }

    [Fact]
    public async Task ProduceAcksZero_GetsNoResponse_NextRequestIsAnswered()
    {
        var (client, topic, _) = await NewTopicAsync();
        await using var _ = client;
        var batch = new RecordBatchBuilder(0).Add("k"u8, "v"u8, 0).Build();
        var request = Produce(topic, batch, acks: 0);
        var header = new RequestHeader(0, 9, 41, "kora-tests", 0);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(header.ComputeSize(true) + request.ComputeSize(9));
        header.Write(ref writer, true);
        request.Write(ref writer, 9);
        writer.Flush();
        await client.SendRawAsync(buffer.WrittenMemory);
        var versions = await client.SendAsync<ApiVersionsResponse>(18, 3, new ApiVersionsRequest(), true, false);
        Assert.Equal(0, versions.ErrorCode);
        var fetched = await client.SendAsync<FetchResponse>(1, 12, new FetchRequest
        {
            MaxWaitMs = 0,
            MaxBytes = 1 << 20,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1 << 20 }] }],
        }, true, true);
        Assert.Equal(1, fetched.Responses[0].Partitions[0].HighWatermark);
    }

    [Fact]
    public async Task Produce_InvalidAcks_IsInvalidRequiredAcks()
    {
        var (client, topic, _) = await NewTopicAsync();
        await using var _ = client;
        var batch = new RecordBatchBuilder(0).Add("k"u8, "v"u8, 0).Build();
        var response = await client.SendAsync<ProduceResponse>(0, 9, Produce(topic, batch, acks: 2), true, true);
        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task AutoCreateDisabled_UnknownTopicStaysUnknown()
    {
        await using var broker = await BrokerProcess.StartAsync(new Dictionary<string, string> { ["AutoCreateTopicsEnable"] = "false" });
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        var metadata = await client.SendAsync<MetadataResponse>(3, 12, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = "never-created" }],
            AllowAutoTopicCreation = true,
        }, true, true);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, metadata.Topics[0].ErrorCode);
    }

    private static ProduceRequest Produce(string topic, byte[] batch, short acks) => new()
    {
        Acks = acks,
        TimeoutMs = 5000,
        TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new RecordsData(batch) }] }],
    };
}
