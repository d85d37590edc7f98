using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.IntegrationTests.Protocol;

/// <summary>The broker at the wire: versions, errors, pipelining and long-poll, through a bare protocol client.</summary>
public class ProtocolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ApiVersions_EverySupportedVersion_ListsProduceAndFetch(short version)
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var response = await client.SendAsync<ApiVersionsResponse>(18, version,
            new ApiVersionsRequest { ClientSoftwareName = "kora-tests", ClientSoftwareVersion = "1.0" }, version >= 3, flexibleResponse: false);
        Assert.Equal(0, response.ErrorCode);
        Assert.Contains(response.ApiKeys, k => k.ApiKey == 0 && k.MinVersion == 3 && k.MaxVersion == 11);
        Assert.Contains(response.ApiKeys, k => k.ApiKey == 1 && k.MaxVersion >= 16);
    }

    [Fact]
    public async Task ApiVersions_UnsupportedVersion_AnswersV0WithUnsupportedVersion()
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        // A client newer than the broker sends v9 in a flexible encoding; the answer comes back as v0.
        var response = await client.SendAsync<ApiVersionsResponse>(18, 9, new ApiVersionsRequest(), flexibleRequest: true, flexibleResponse: false, responseVersion: 0);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        Assert.Contains(response.ApiKeys, k => k.ApiKey == 18 && k.MaxVersion == 4);
    }

    [Fact]
    public async Task UnknownApiKey_GetsUnsupportedVersion_AndConnectionStaysOpen()
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var frame = new byte[4 + 10];
        BinaryPrimitives.WriteInt32BigEndian(frame, 10);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), 999);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 0);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), 77);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), -1);
        await client.SendRawAsync(frame);
        var response = await client.ReceiveFrameAsync();
        Assert.NotNull(response);
        Assert.Equal(77, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal((short)ErrorCode.UnsupportedVersion, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
        var versions = await client.SendAsync<ApiVersionsResponse>(18, 3, new ApiVersionsRequest(), true, false);
        Assert.Equal(0, versions.ErrorCode);
    }

    [Fact]
    public async Task Metadata_UnsupportedVersion_GetsAResponseNotAClose()
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var frame = new byte[4 + 10];
        BinaryPrimitives.WriteInt32BigEndian(frame, 10);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), 3);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 99);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), 5);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), -1);
        await client.SendRawAsync(frame);
        var response = await client.ReceiveFrameAsync();
        Assert.NotNull(response);
        Assert.Equal(5, BinaryPrimitives.ReadInt32BigEndian(response));
    }

    [Theory]
    [InlineData(200 * 1024 * 1024)]
    [InlineData(-5)]
    [InlineData(3)]
    public async Task FrameWithImpossibleLength_ClosesConnection_BrokerKeepsServing(int length)
    {
        await using (var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint))
        {
            var prefix = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(prefix, length);
            await client.SendRawAsync(prefix);
            Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
        }
        await AssertBrokerServesAsync();
    }

    [Fact]
    public async Task TruncatedFrame_ThenClientDisconnects_BrokerKeepsServing()
    {
        await using (var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint))
        {
            var partial = new byte[4 + 20];
            BinaryPrimitives.WriteInt32BigEndian(partial, 1000);
            await client.SendRawAsync(partial);
        }
        await AssertBrokerServesAsync();
    }

    [Fact]
    public async Task MalformedBody_ClosesOnlyThatConnection()
    {
        await using var bystander = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        await using (var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint))
        {
            // A Metadata v1 request whose topic array claims a million entries in two bytes.
            var frame = new byte[4 + 10 + 4];
            BinaryPrimitives.WriteInt32BigEndian(frame, 14);
            BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), 3);
            BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 1);
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), 1);
            BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), -1);
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), 1_000_000);
            await client.SendRawAsync(frame);
            Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
        }
        var response = await bystander.SendAsync<ApiVersionsResponse>(18, 3, new ApiVersionsRequest(), true, false);
        Assert.Equal(0, response.ErrorCode);
    }

    [Fact]
    public async Task SeededFuzz_RandomAndMutatedFrames_NeverCrashTheBroker()
    {
        var random = new Random(20261122);
        var valid = Frame(3, 12, new MetadataRequest { Topics = null }, flexible: true);
        for (var i = 0; i < 150; i++)
        {
            await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
            byte[] frame;
            if (i % 2 == 0)
            {
                frame = new byte[4 + random.Next(8, 200)];
                random.NextBytes(frame.AsSpan(4));
                BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
                // Mostly known API keys and plausible versions, so parsing goes deep.
                BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), (short)random.Next(0, 70));
                BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), (short)random.Next(0, 14));
            }
            else
            {
                frame = (byte[])valid.Clone();
                for (var m = 0; m < 3; m++)
                {
                    frame[random.Next(8, frame.Length)] = (byte)random.Next(256);
                }
            }
            await client.SendRawAsync(frame);
            var answer = await client.ReceiveFrameAsync(TimeSpan.FromSeconds(10));
            _ = answer; // A response or a clean close are both correct; a hang fails the timeout below.
        }
        await AssertBrokerServesAsync();
        Assert.Null(Broker.ExitCode);
    }

    [Fact]
    public async Task PipelinedRequests_AreAnsweredInOrder()
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var frames = new List<byte>();
        for (var i = 1; i <= 50; i++)
        {
            frames.AddRange(i % 2 == 0
                ? Frame(18, 3, new ApiVersionsRequest(), flexible: true, correlationId: i)
                : Frame(3, 12, new MetadataRequest { Topics = [] }, flexible: true, correlationId: i));
        }
        await client.SendRawAsync(frames.ToArray());
        for (var i = 1; i <= 50; i++)
        {
            var response = await client.ReceiveFrameAsync();
            Assert.NotNull(response);
            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian(response));
        }
    }

    [Fact]
    public async Task Produce_BadCrc_IsCorruptMessage_AndNothingIsAppended()
    {
        var topic = await CreateTopicAsync("crc", partitions: 1);
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var batch = new RecordBatchBuilder(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Add("k"u8, "v"u8, 0).Build();
        batch[^1] ^= 0x5A;
        var response = await ProduceAsync(client, topic, batch);
        Assert.Equal((short)ErrorCode.CorruptMessage, response.Responses[0].PartitionResponses[0].ErrorCode);
        var good = new RecordBatchBuilder(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Add("k"u8, "v"u8, 0).Build();
        var ok = await ProduceAsync(client, topic, good);
        Assert.Equal(0, ok.Responses[0].PartitionResponses[0].ErrorCode);
        Assert.Equal(0, ok.Responses[0].PartitionResponses[0].BaseOffset);
    }

    [Fact]
    public async Task Produce_UnknownTopic_IsUnknownTopicOrPartition()
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var batch = new RecordBatchBuilder(0).Add("k"u8, "v"u8, 0).Build();
        var response = await ProduceAsync(client, "no-such-topic-" + Guid.NewGuid().ToString("N"), batch);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task Produce_BatchOverMaxMessageBytes_IsMessageTooLarge()
    {
        var topic = await CreateTopicAsync("large", partitions: 1, ("max.message.bytes", "1000"));
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var batch = new RecordBatchBuilder(0).Add("k"u8, new byte[2000], 0).Build();
        var response = await ProduceAsync(client, topic, batch);
        Assert.Equal((short)ErrorCode.MessageTooLarge, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task Fetch_AtLogEnd_LongPollsForMaxWait()
    {
        var topic = await CreateTopicAsync("longpoll", partitions: 1);
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var stopwatch = Stopwatch.StartNew();
        var response = await FetchAsync(client, topic, 0, maxWaitMs: 700);
        stopwatch.Stop();
        Assert.Equal(0, response.Responses[0].Partitions[0].ErrorCode);
        Assert.InRange(stopwatch.ElapsedMilliseconds, 600, 3000);
    }

    [Fact]
    public async Task Fetch_DataArrivesDuringWait_ReturnsEarly()
    {
        var topic = await CreateTopicAsync("wake", partitions: 1);
        await using var fetcher = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        await using var producer = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var stopwatch = Stopwatch.StartNew();
        var fetch = FetchAsync(fetcher, topic, 0, maxWaitMs: 10_000);
        await Task.Delay(300);
        var batch = new RecordBatchBuilder(0).Add("k"u8, Encoding.UTF8.GetBytes("hello"), 0).Build();
        await ProduceAsync(producer, topic, batch);
        var response = await fetch;
        stopwatch.Stop();
        Assert.True(stopwatch.ElapsedMilliseconds < 5000, $"fetch took {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(batch.Length, response.Responses[0].Partitions[0].Records!.Value.Length);
    }

    [Fact]
    public async Task Fetch_OffsetBeyondLogEnd_IsOffsetOutOfRange()
    {
        var topic = await CreateTopicAsync("range", partitions: 1);
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var response = await FetchAsync(client, topic, 42, maxWaitMs: 0);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, response.Responses[0].Partitions[0].ErrorCode);
    }

    private async Task AssertBrokerServesAsync()
    {
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var response = await client.SendAsync<ApiVersionsResponse>(18, 3, new ApiVersionsRequest(), true, false);
        Assert.Equal(0, response.ErrorCode);
    }

    private async Task<string> CreateTopicAsync(string prefix, int partitions, params (string Name, string Value)[] configs)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}";
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var request = new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = name,
                    NumPartitions = partitions,
                    ReplicationFactor = 1,
                    Configs = configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Name, Value = c.Value }).ToList(),
                },
            ],
        };
        var response = await client.SendAsync<CreateTopicsResponse>(19, 7, request, true, true);
        Assert.Equal(0, response.Topics[0].ErrorCode);
        return name;
    }

    private static Task<ProduceResponse> ProduceAsync(RawKafkaClient client, string topic, byte[] batch) =>
        client.SendAsync<ProduceResponse>(0, 9, new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 10_000,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = topic,
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new RecordsData(batch) }],
                },
            ],
        }, true, true);

    private static Task<FetchResponse> FetchAsync(RawKafkaClient client, string topic, long offset, int maxWaitMs) =>
        client.SendAsync<FetchResponse>(1, 12, new FetchRequest
        {
            MaxWaitMs = maxWaitMs,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            SessionEpoch = -1,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = topic,
                    Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1 << 20 }],
                },
            ],
        }, true, true);

    private static byte[] Frame(short apiKey, short version, IKafkaMessage request, bool flexible, int correlationId = 1)
    {
        var header = new RequestHeader(apiKey, version, correlationId, "kora-tests", 0);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(header.ComputeSize(flexible) + request.ComputeSize(version));
        header.Write(ref writer, flexible);
        request.Write(ref writer, version);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
