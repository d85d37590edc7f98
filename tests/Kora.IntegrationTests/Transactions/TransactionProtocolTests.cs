using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;

namespace Kora.IntegrationTests.Transactions;

/// <summary>The transaction APIs on the wire: error codes per version, pending transactional offsets, describe and list.</summary>
public class TransactionProtocolTests(TransactionFixture fixture) : IClassFixture<TransactionFixture>
{
    private const short None = 0;
    private const short UnknownTopicOrPartition = 3;
    private const short ConcurrentTransactions = 51;
    private const short InvalidProducerEpoch = 47;
    private const short InvalidTransactionTimeout = 50;
    private const short InvalidRequest = 42;
    private const short InvalidTxnState = 48;
    private const short InvalidProducerIdMapping = 49;
    private const short OperationNotAttempted = 55;
    private const short UnstableOffsetCommit = 88;
    private const short ProducerFenced = 90;
    private const short TransactionalIdNotFound = 105;

    [Fact]
    public async Task TransactionLifecycle_OverRawRequests()
    {
        var topic = await TransactionFixture.CreateTopicAsync(fixture.Broker.BootstrapServers, "raw-txn", 2);
        var id = $"raw-{Guid.NewGuid():N}";
        var group = $"raw-g-{Guid.NewGuid():N}";
        await using var client = await RawKafkaClient.ConnectAsync(fixture.Broker.KafkaEndPoint);

        var found = await client.SendAsync<FindCoordinatorResponse>(10, 4, new FindCoordinatorRequest { KeyType = 1, CoordinatorKeys = [id] }, true, true);
        var coordinator = Assert.Single(found.Coordinators);
        Assert.Equal(None, coordinator.ErrorCode);
        Assert.Equal(fixture.Broker.KafkaEndPoint.Port, coordinator.Port);
        var legacy = await client.SendAsync<FindCoordinatorResponse>(10, 2, new FindCoordinatorRequest { Key = id, KeyType = 1 }, false, false);
        Assert.Equal(None, legacy.ErrorCode);

        var tooLong = await client.SendAsync<InitProducerIdResponse>(22, 4, new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 900_001 }, true, true);
        Assert.Equal(InvalidTransactionTimeout, tooLong.ErrorCode);
        var init = await client.SendAsync<InitProducerIdResponse>(22, 4, new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 60_000 }, true, true);
        Assert.Equal(None, init.ErrorCode);
        Assert.Equal(0, init.ProducerEpoch);
        var pid = init.ProducerId;

        var mixed = await client.SendAsync<AddPartitionsToTxnResponse>(24, 3, new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = id,
            V3AndBelowProducerId = pid,
            V3AndBelowProducerEpoch = 0,
            V3AndBelowTopics =
            [
                new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = [0, 7] },
            ],
        }, true, true);
        var results = Assert.Single(mixed.ResultsByTopicV3AndBelow).ResultsByPartition.ToDictionary(r => r.PartitionIndex, r => r.PartitionErrorCode);
        Assert.Equal(OperationNotAttempted, results[0]);
        Assert.Equal(UnknownTopicOrPartition, results[7]);

        var added = await client.SendAsync<AddPartitionsToTxnResponse>(24, 3, new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = id,
            V3AndBelowProducerId = pid,
            V3AndBelowProducerEpoch = 0,
            V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = [0, 1] }],
        }, true, true);
        Assert.All(added.ResultsByTopicV3AndBelow.Single().ResultsByPartition, r => Assert.Equal(None, r.PartitionErrorCode));

        var verified = await client.SendAsync<AddPartitionsToTxnResponse>(24, 5, new AddPartitionsToTxnRequest
        {
            Transactions =
            [
                new AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction
                {
                    TransactionalId = id, ProducerId = pid, ProducerEpoch = 0, VerifyOnly = true,
                    Topics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = [1] }],
                },
            ],
        }, true, true);
        Assert.Equal(None, verified.ResultsByTransaction.Single().TopicResults.Single().ResultsByPartition.Single().PartitionErrorCode);

        var offsets = await client.SendAsync<AddOffsetsToTxnResponse>(25, 3, new AddOffsetsToTxnRequest { TransactionalId = id, ProducerId = pid, ProducerEpoch = 0, GroupId = group }, true, true);
        Assert.Equal(None, offsets.ErrorCode);

        var staleCommit = await TxnCommitAsync(client, id, group, pid, 9, topic, 42);
        Assert.Equal(InvalidProducerEpoch, staleCommit);
        Assert.Equal(None, await TxnCommitAsync(client, id, group, pid, 0, topic, 42));

        // The offset is pending: invisible, and unstable for a consumer that asks for stable offsets.
        Assert.Equal((-1L, None), await FetchOffsetAsync(client, group, topic, requireStable: false));
        Assert.Equal((-1L, UnstableOffsetCommit), await FetchOffsetAsync(client, group, topic, requireStable: true));

        var described = await client.SendAsync<DescribeTransactionsResponse>(65, 0, new DescribeTransactionsRequest { TransactionalIds = [id, "nobody-" + id] }, true, true);
        var state = described.TransactionStates[0];
        Assert.Equal(None, state.ErrorCode);
        Assert.Equal("Ongoing", state.TransactionState);
        Assert.Equal(pid, state.ProducerId);
        Assert.Equal(60_000, state.TransactionTimeoutMs);
        Assert.Equal([0, 1], state.Topics.Single(t => t.Topic == topic).Partitions.Order());
        Assert.Contains(state.Topics, t => t.Topic == "__consumer_offsets");
        Assert.Equal(TransactionalIdNotFound, described.TransactionStates[1].ErrorCode);

        var listed = await client.SendAsync<ListTransactionsResponse>(66, 1, new ListTransactionsRequest { StateFilters = ["Ongoing", "Sleeping"], DurationFilter = -1 }, true, true);
        Assert.Equal(None, listed.ErrorCode);
        Assert.Equal(["Sleeping"], listed.UnknownStateFilters);
        Assert.Contains(listed.TransactionStates, t => t.TransactionalId == id && t.ProducerId == pid && t.TransactionState == "Ongoing");

        // A second producer: the open transaction is aborted under a bumped epoch; it retries until that is done.
        var fence = await client.SendAsync<InitProducerIdResponse>(22, 2, new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 60_000 }, true, true);
        Assert.Equal(ConcurrentTransactions, fence.ErrorCode);
        InitProducerIdResponse successor;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Task.Delay(50);
            successor = await client.SendAsync<InitProducerIdResponse>(22, 2, new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 60_000 }, true, true);
        }
        while (successor.ErrorCode == ConcurrentTransactions && DateTime.UtcNow < deadline);
        Assert.Equal(None, successor.ErrorCode);
        Assert.Equal(pid, successor.ProducerId);
        Assert.Equal(2, successor.ProducerEpoch);

        // The first producer is fenced, reported as INVALID_PRODUCER_EPOCH to clients that predate PRODUCER_FENCED.
        var oldClient = await client.SendAsync<EndTxnResponse>(26, 1, new EndTxnRequest { TransactionalId = id, ProducerId = pid, ProducerEpoch = 0, Committed = true }, false, false);
        Assert.Equal(InvalidProducerEpoch, oldClient.ErrorCode);
        var newClient = await client.SendAsync<EndTxnResponse>(26, 3, new EndTxnRequest { TransactionalId = id, ProducerId = pid, ProducerEpoch = 0, Committed = true }, true, true);
        Assert.Equal(ProducerFenced, newClient.ErrorCode);

        // The aborted offset commit was dropped.
        Assert.Equal((-1L, None), await FetchOffsetAsync(client, group, topic, requireStable: true));
    }

    [Fact]
    public async Task FencedProducers_GetInvalidProducerEpoch_BeforeTheVersionsThatKnowProducerFenced()
    {
        var topic = await TransactionFixture.CreateTopicAsync(fixture.Broker.BootstrapServers, "raw-fence", 1);
        var id = $"raw-{Guid.NewGuid():N}";
        await using var client = await RawKafkaClient.ConnectAsync(fixture.Broker.KafkaEndPoint);
        await client.SendAsync<FindCoordinatorResponse>(10, 3, new FindCoordinatorRequest { Key = id, KeyType = 1 }, true, true);
        var first = await client.SendAsync<InitProducerIdResponse>(22, 3, new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 10_000 }, true, true);
        var second = await client.SendAsync<InitProducerIdResponse>(22, 3, new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 10_000 }, true, true);
        Assert.Equal((None, None, (short)1), (first.ErrorCode, second.ErrorCode, second.ProducerEpoch));

        // KIP-360: naming an epoch that is neither current nor the last one.
        var v3 = await client.SendAsync<InitProducerIdResponse>(22, 3, new InitProducerIdRequest
        {
            TransactionalId = id, TransactionTimeoutMs = 10_000, ProducerId = first.ProducerId, ProducerEpoch = 7,
        }, true, true);
        Assert.Equal(InvalidProducerEpoch, v3.ErrorCode);
        var v4 = await client.SendAsync<InitProducerIdResponse>(22, 4, new InitProducerIdRequest
        {
            TransactionalId = id, TransactionTimeoutMs = 10_000, ProducerId = first.ProducerId, ProducerEpoch = 7,
        }, true, true);
        Assert.Equal(ProducerFenced, v4.ErrorCode);
        var halfNamed = await client.SendAsync<InitProducerIdResponse>(22, 4, new InitProducerIdRequest
        {
            TransactionalId = id, TransactionTimeoutMs = 10_000, ProducerId = first.ProducerId, ProducerEpoch = -1,
        }, true, true);
        Assert.Equal(InvalidRequest, halfNamed.ErrorCode);

        AddPartitionsToTxnRequest Add(short epoch) => new()
        {
            V3AndBelowTransactionalId = id,
            V3AndBelowProducerId = first.ProducerId,
            V3AndBelowProducerEpoch = epoch,
            V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = [0] }],
        };
        var v1 = await client.SendAsync<AddPartitionsToTxnResponse>(24, 1, Add(0), false, false);
        Assert.Equal(InvalidProducerEpoch, v1.ResultsByTopicV3AndBelow.Single().ResultsByPartition.Single().PartitionErrorCode);
        var v2 = await client.SendAsync<AddPartitionsToTxnResponse>(24, 2, Add(0), false, false);
        Assert.Equal(ProducerFenced, v2.ResultsByTopicV3AndBelow.Single().ResultsByPartition.Single().PartitionErrorCode);
        var offsetsV1 = await client.SendAsync<AddOffsetsToTxnResponse>(25, 1, new AddOffsetsToTxnRequest
        {
            TransactionalId = id, ProducerId = first.ProducerId, ProducerEpoch = 0, GroupId = "g",
        }, false, false);
        Assert.Equal(InvalidProducerEpoch, offsetsV1.ErrorCode);
        var unknown = await client.SendAsync<EndTxnResponse>(26, 3, new EndTxnRequest { TransactionalId = "nobody-" + id, ProducerId = 1, ProducerEpoch = 0, Committed = true }, true, true);
        Assert.Equal(InvalidProducerIdMapping, unknown.ErrorCode);
        var nothingOpen = await client.SendAsync<EndTxnResponse>(26, 3, new EndTxnRequest { TransactionalId = id, ProducerId = first.ProducerId, ProducerEpoch = 1, Committed = true }, true, true);
        Assert.Equal(InvalidTxnState, nothingOpen.ErrorCode);
    }

    [Fact]
    public async Task WriteTxnMarkers_OnTheOffsetsPartition_SettlesPendingTransactionalOffsets()
    {
        var topic = await TransactionFixture.CreateTopicAsync(fixture.Broker.BootstrapServers, "raw-marker", 1);
        var id = $"raw-{Guid.NewGuid():N}";
        var group = $"raw-g-{Guid.NewGuid():N}";
        await using var client = await RawKafkaClient.ConnectAsync(fixture.Broker.KafkaEndPoint);
        await client.SendAsync<FindCoordinatorResponse>(10, 3, new FindCoordinatorRequest { Key = id, KeyType = 1 }, true, true);
        var init = await client.SendAsync<InitProducerIdResponse>(22, 4, new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 60_000 }, true, true);
        var offsets = await client.SendAsync<AddOffsetsToTxnResponse>(25, 3, new AddOffsetsToTxnRequest { TransactionalId = id, ProducerId = init.ProducerId, ProducerEpoch = 0, GroupId = group }, true, true);
        Assert.Equal(None, offsets.ErrorCode);
        Assert.Equal(None, await TxnCommitAsync(client, id, group, init.ProducerId, 0, topic, 11));
        Assert.Equal((-1L, UnstableOffsetCommit), await FetchOffsetAsync(client, group, topic, requireStable: true));

        // A marker written through the API (as a coordinator on another broker would) on the group's offsets partition.
        var hash = group.Aggregate(0, (h, c) => unchecked((31 * h) + c));
        var offsetsPartition = (hash == int.MinValue ? 0 : Math.Abs(hash)) % int.Parse(TransactionFixture.Settings["OffsetsTopicNumPartitions"], System.Globalization.CultureInfo.InvariantCulture);
        var written = await client.SendAsync<WriteTxnMarkersResponse>(27, 1, new WriteTxnMarkersRequest
        {
            Markers =
            [
                new WriteTxnMarkersRequest.WritableTxnMarker
                {
                    ProducerId = init.ProducerId,
                    ProducerEpoch = 0,
                    TransactionResult = true,
                    CoordinatorEpoch = 0,
                    Topics = [new WriteTxnMarkersRequest.WritableTxnMarkerTopic { Name = "__consumer_offsets", PartitionIndexes = [offsetsPartition] }],
                },
            ],
        }, true, true);
        Assert.Equal(None, written.Markers.Single().Topics.Single().Partitions.Single().ErrorCode);
        Assert.Equal((11L, None), await FetchOffsetAsync(client, group, topic, requireStable: true));
    }

    private static async Task<short> TxnCommitAsync(RawKafkaClient client, string id, string group, long pid, short epoch, string topic, long offset)
    {
        var response = await client.SendAsync<TxnOffsetCommitResponse>(28, 3, new TxnOffsetCommitRequest
        {
            TransactionalId = id,
            GroupId = group,
            ProducerId = pid,
            ProducerEpoch = epoch,
            GenerationId = -1,
            MemberId = "",
            Topics =
            [
                new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic
                {
                    Name = topic,
                    Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset, CommittedMetadata = "m" }],
                },
            ],
        }, true, true);
        return response.Topics.Single().Partitions.Single().ErrorCode;
    }

    private static async Task<(long Offset, short Error)> FetchOffsetAsync(RawKafkaClient client, string group, string topic, bool requireStable)
    {
        var response = await client.SendAsync<OffsetFetchResponse>(9, 7, new OffsetFetchRequest
        {
            GroupId = group,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic, PartitionIndexes = [0] }],
            RequireStable = requireStable,
        }, true, true);
        var partition = response.Topics.Single().Partitions.Single();
        return (partition.CommittedOffset, partition.ErrorCode);
    }
}
