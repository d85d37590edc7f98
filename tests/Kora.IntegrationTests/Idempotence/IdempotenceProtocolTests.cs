using System.Text;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.IntegrationTests.Idempotence;

/// <summary>Idempotent and transactional produce at the wire: duplicates, sequence and epoch errors, markers and read_committed.</summary>
public class IdempotenceProtocolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const sbyte ReadUncommitted = 0;
    private const sbyte ReadCommitted = 1;

    private BrokerProcess Broker => fixture.Broker;

    [Fact]
    public async Task SameIdempotentBatchTwice_IsWrittenOnce_AndBothAnswersCarryItsOffset()
    {
        var topic = await CreateTopicAsync("dedup");
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var (producerId, epoch) = await InitProducerIdAsync(client);
        await ProduceAsync(client, topic, Batch(producerId, epoch, 0, "a", "b"));

        var first = await ProduceAsync(client, topic, Batch(producerId, epoch, 2, "c"));
        var retry = await ProduceAsync(client, topic, Batch(producerId, epoch, 2, "c"));
        var next = await ProduceAsync(client, topic, Batch(producerId, epoch, 3, "d"));

        Assert.Equal(0, first.ErrorCode);
        Assert.Equal(0, retry.ErrorCode);
        Assert.Equal(2, first.BaseOffset);
        Assert.Equal(2, retry.BaseOffset);
        Assert.Equal(3, next.BaseOffset);
        var fetched = await FetchAsync(client, topic, 0, ReadUncommitted);
        Assert.Equal(4, fetched.HighWatermark);
        Assert.Equal(3, CountBatches(fetched));
    }

    [Fact]
    public async Task SequenceGap_IsOutOfOrderSequenceNumber_AndWritesNothing()
    {
        var topic = await CreateTopicAsync("gap");
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var (producerId, epoch) = await InitProducerIdAsync(client);
        await ProduceAsync(client, topic, Batch(producerId, epoch, 0, "a"));

        var gap = await ProduceAsync(client, topic, Batch(producerId, epoch, 5, "b"));

        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, gap.ErrorCode);
        Assert.Equal(-1, gap.BaseOffset);
        Assert.Equal(1, (await FetchAsync(client, topic, 0, ReadUncommitted)).HighWatermark);
    }

    [Fact]
    public async Task OlderEpoch_IsInvalidProducerEpoch()
    {
        var topic = await CreateTopicAsync("epoch");
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        await ProduceAsync(client, topic, Batch(991_000, 3, 0, "a"));

        var stale = await ProduceAsync(client, topic, Batch(991_000, 2, 1, "b"));

        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, stale.ErrorCode);
    }

    [Fact]
    public async Task ControlBatchFromAClient_IsInvalidRecord()
    {
        var topic = await CreateTopicAsync("control");
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);

        // A marker batch is transactional too: without a transactional id Kafka refuses the request before looking closer.
        var response = await ProduceAsync(client, topic, EndTransactionMarker.BuildBatch(991_001, 0, 0, committed: true, Now), "tx-control");

        Assert.Equal((short)ErrorCode.InvalidRecord, response.ErrorCode);
    }

    [Fact]
    public async Task TransactionalBatchWithoutTransactionalId_IsRefused()
    {
        var topic = await CreateTopicAsync("noid");
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);

        var response = await ProduceAsync(client, topic, Batch(991_002, 0, 0, transactional: true, "a"));

        Assert.Equal((short)ErrorCode.TransactionalIdAuthorizationFailed, response.ErrorCode);
    }

    [Fact]
    public async Task OpenTransaction_HidesFromReadCommitted_UntilItsAbortMarker_ThenIsListedAsAborted()
    {
        var topic = await CreateTopicAsync("txn");
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        const long producerId = 991_003;
        Assert.Equal(0, (await ProduceAsync(client, topic, Batch(producerId, 0, 0, transactional: true, "t1", "t2"), "tx-a")).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, topic, Batch(991_004, 0, 0, "plain"))).ErrorCode);

        var committedView = await FetchAsync(client, topic, 0, ReadCommitted);
        var uncommittedView = await FetchAsync(client, topic, 0, ReadUncommitted);

        Assert.Equal(3, committedView.HighWatermark);
        Assert.Equal(0, committedView.LastStableOffset);
        Assert.Equal(0, CountBatches(committedView));
        Assert.Equal(0, uncommittedView.LastStableOffset);
        Assert.Equal(2, CountBatches(uncommittedView));
        Assert.Null(uncommittedView.AbortedTransactions);
        Assert.Equal(0, await LatestOffsetAsync(client, topic, ReadCommitted));
        Assert.Equal(3, await LatestOffsetAsync(client, topic, ReadUncommitted));

        var markers = await WriteMarkersAsync(client, topic, producerId, epoch: 0, commit: false, partitions: [0, 7]);

        Assert.Equal((short)ErrorCode.None, markers[0]);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, markers[7]);
        await ProduceAsync(client, topic, Batch(991_004, 0, 1, "later"));
        var after = await FetchAsync(client, topic, 0, ReadCommitted);
        Assert.Equal(5, after.HighWatermark);
        Assert.Equal(5, after.LastStableOffset);
        Assert.Equal(4, CountBatches(after));
        var aborted = Assert.Single(after.AbortedTransactions!);
        Assert.Equal(producerId, aborted.ProducerId);
        Assert.Equal(0, aborted.FirstOffset);
        Assert.Equal(5, await LatestOffsetAsync(client, topic, ReadCommitted));
        // A fetch past the marker overlaps no aborted transaction.
        var tail = await FetchAsync(client, topic, 4, ReadCommitted);
        Assert.Equal(1, CountBatches(tail));
        Assert.Empty(tail.AbortedTransactions!);
    }

    [Fact]
    public async Task Markers_FromAnOlderCoordinatorEpochOrProducerEpoch_AreRefused()
    {
        var topic = await CreateTopicAsync("fence");
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        const long producerId = 991_005;
        await ProduceAsync(client, topic, Batch(producerId, 2, 0, transactional: true, "x"), "tx-b");
        Assert.Equal(0, (await WriteMarkersAsync(client, topic, producerId, 2, commit: true, [0], coordinatorEpoch: 9))[0]);
        await ProduceAsync(client, topic, Batch(producerId, 2, 1, transactional: true, "y"), "tx-b");

        Assert.Equal((short)ErrorCode.TransactionCoordinatorFenced, (await WriteMarkersAsync(client, topic, producerId, 2, commit: true, [0], coordinatorEpoch: 8))[0]);
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, (await WriteMarkersAsync(client, topic, producerId, 1, commit: true, [0], coordinatorEpoch: 9))[0]);
        Assert.Equal(2, (await FetchAsync(client, topic, 0, ReadCommitted)).LastStableOffset);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static byte[] Batch(long producerId, short epoch, int sequence, params string[] values) =>
        Batch(producerId, epoch, sequence, transactional: false, values);

    private static byte[] Batch(long producerId, short epoch, int sequence, bool transactional, params string[] values)
    {
        var builder = new RecordBatchBuilder(Now, producerId, epoch, sequence, attributes: (short)(transactional ? 0x10 : 0));
        foreach (var value in values)
        {
            builder.Add([], Encoding.UTF8.GetBytes(value), Now, nullKey: true);
        }
        return builder.Build();
    }

    private static int CountBatches(FetchResponse.PartitionData data)
    {
        var bytes = data.Records?.Memory.ToArray() ?? [];
        var count = 0;
        for (var at = 0; at < bytes.Length; count++)
        {
            at += new RecordBatch(bytes.AsSpan(at)).SizeInBytes;
        }
        return count;
    }

    private async Task<string> CreateTopicAsync(string prefix)
    {
        var name = BrokerFixture.UniqueTopic(prefix);
        await using var client = await RawKafkaClient.ConnectAsync(Broker.KafkaEndPoint);
        var response = await client.SendAsync<CreateTopicsResponse>(19, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = 1, ReplicationFactor = 1 }],
        }, true, true);
        Assert.Equal(0, response.Topics[0].ErrorCode);
        return name;
    }

    private static async Task<(long ProducerId, short Epoch)> InitProducerIdAsync(RawKafkaClient client)
    {
        var response = await client.SendAsync<InitProducerIdResponse>(22, 4, new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60_000 }, true, true);
        Assert.Equal(0, response.ErrorCode);
        return (response.ProducerId, response.ProducerEpoch);
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(RawKafkaClient client, string topic, byte[] batch, string? transactionalId = null)
    {
        var response = await client.SendAsync<ProduceResponse>(0, 9, new ProduceRequest
        {
            TransactionalId = transactionalId,
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
        return response.Responses[0].PartitionResponses[0];
    }

    private static async Task<FetchResponse.PartitionData> FetchAsync(RawKafkaClient client, string topic, long offset, sbyte isolation)
    {
        var response = await client.SendAsync<FetchResponse>(1, 12, new FetchRequest
        {
            MaxWaitMs = 0,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            IsolationLevel = isolation,
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
        var data = response.Responses[0].Partitions[0];
        Assert.Equal(0, data.ErrorCode);
        return data;
    }

    private static async Task<long> LatestOffsetAsync(RawKafkaClient client, string topic, sbyte isolation)
    {
        var response = await client.SendAsync<ListOffsetsResponse>(2, 7, new ListOffsetsRequest
        {
            ReplicaId = -1,
            IsolationLevel = isolation,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }] }],
        }, true, true);
        var partition = response.Topics[0].Partitions[0];
        Assert.Equal(0, partition.ErrorCode);
        return partition.Offset;
    }

    private static async Task<Dictionary<int, short>> WriteMarkersAsync(
        RawKafkaClient client, string topic, long producerId, short epoch, bool commit, int[] partitions, int coordinatorEpoch = 0)
    {
        var response = await client.SendAsync<WriteTxnMarkersResponse>(27, 1, new WriteTxnMarkersRequest
        {
            Markers =
            [
                new WriteTxnMarkersRequest.WritableTxnMarker
                {
                    ProducerId = producerId,
                    ProducerEpoch = epoch,
                    TransactionResult = commit,
                    CoordinatorEpoch = coordinatorEpoch,
                    Topics = [new WriteTxnMarkersRequest.WritableTxnMarkerTopic { Name = topic, PartitionIndexes = [.. partitions] }],
                },
            ],
        }, true, true);
        var marker = Assert.Single(response.Markers);
        Assert.Equal(producerId, marker.ProducerId);
        return Assert.Single(marker.Topics).Partitions.ToDictionary(p => p.PartitionIndex, p => p.ErrorCode);
    }
}
