using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Kora.Broker.Partitions;
using Kora.Broker.Telemetry;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.Broker.Apis;

/// <summary>
/// Produce v3-11 (v3 is the first with record batch v2). Each partition's batches are validated (framing,
/// CRC-32C, record structure, max.message.bytes) and appended as received: offsets are assigned in the
/// request buffer itself, compressed batches stay compressed. acks=1 answers after the append; acks=-1
/// once the high watermark covers the data (every in-sync replica has it) and it is fsynced here, or with
/// REQUEST_TIMED_OUT after timeout_ms; acks=0 sends no response. acks=-1 needs min.insync.replicas in the ISR:
/// fewer before the append is NOT_ENOUGH_REPLICAS, fewer by the time it is replicated NOT_ENOUGH_REPLICAS_AFTER_APPEND.
/// Idempotent and transactional batches are checked against the partition's producer state: a retry of a
/// recent batch is answered with its original offsets and not written again; a sequence gap gets
/// OUT_OF_ORDER_SEQUENCE_NUMBER, a stale epoch INVALID_PRODUCER_EPOCH.
/// </summary>
public sealed class ProduceHandler(PartitionManager partitions, IResourceNames names, BrokerMetrics metrics, TimeProvider time)
    : ApiHandler<ProduceRequest, ProduceResponse>
{
    public override short ApiKey => ProduceRequest.ApiKey;
    public override short MinVersion => 3;
    public override short MaxVersion => 11;
    protected override short FirstFlexibleVersion => ProduceRequest.LowestFlexibleVersion;

    protected override ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request)
    {
        var response = new ProduceResponse { Responses = new(request.TopicData.Count) };
        var acksValid = request.Acks is -1 or 0 or 1;
        // Kafka refuses the whole request when transactional data comes without a transactional id.
        var refused = request.TransactionalId is null && HasTransactionalRecords(request) ? ErrorCode.TransactionalIdAuthorizationFailed : ErrorCode.None;
        List<PendingAck>? toFlush = null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var topicData in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topicData.Name, PartitionResponses = new(topicData.PartitionData.Count) };
            response.Responses.Add(topicResponse);
            var topic = names.ToInternal(context.Connection, ResourceKind.Topic, topicData.Name);
            foreach (var partitionData in topicData.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse { Index = partitionData.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(result);
                if (!acksValid)
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequiredAcks;
                    continue;
                }
                if (refused != ErrorCode.None)
                {
                    result.ErrorCode = (short)refused;
                    continue;
                }
                var partition = partitions.GetLed(topic, partitionData.Index, out var notLed);
                if (partition is null)
                {
                    result.ErrorCode = (short)notLed;
                    continue;
                }
                if (partitionData.Records is not { } records || !MemoryMarshal.TryGetArray(records.Memory, out var segment))
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRecord;
                    result.ErrorMessage = "The request carries no record set.";
                    continue;
                }
                if (request.Acks == -1 && partition.Isr.Length < partition.Config.MinInsyncReplicas)
                {
                    result.ErrorCode = (short)ErrorCode.NotEnoughReplicas;
                    result.ErrorMessage = $"The ISR has {partition.Isr.Length} replicas, fewer than min.insync.replicas={partition.Config.MinInsyncReplicas}.";
                    continue;
                }
                var batches = segment.AsSpan();
                var validation = RecordBatchValidator.Validate(batches, partition.Config.MaxMessageBytes);
                if (!validation.IsValid)
                {
                    result.ErrorCode = (short)validation.Error;
                    result.ErrorMessage = validation.Message;
                    continue;
                }
                // max.message.bytes bounds a batch as sent; its records may well decompress to many times that.
                var maxUncompressed = (int)Math.Min(int.MaxValue, 64L * partition.Config.MaxMessageBytes);
                if (partition.Config.Compact
                    && CompactedTopicValidator.Validate(batches, maxUncompressed, out var keyless) is var keyError and not ErrorCode.None)
                {
                    result.ErrorCode = (short)keyError;
                    result.ErrorMessage = keyError == ErrorCode.InvalidRecord
                        ? $"Compacted topic cannot accept message without key in topic partition {topicData.Name}-{partitionData.Index}."
                        : "A compressed batch could not be read.";
                    if (keyError == ErrorCode.InvalidRecord && context.Version >= 8)
                    {
                        result.RecordErrors.Add(new ProduceResponse.BatchIndexAndErrorMessage { BatchIndex = keyless, BatchIndexErrorMessage = result.ErrorMessage });
                    }
                    continue;
                }
                if (partition.Config.CompressionType is { } codec && BatchRecompressor.Needed(batches, codec))
                {
                    try
                    {
                        batches = BatchRecompressor.Recompress(batches, codec, maxUncompressed);
                    }
                    catch (Exception e) when (e is InvalidDataException or NotSupportedException)
                    {
                        result.ErrorCode = (short)(e is NotSupportedException ? ErrorCode.UnsupportedCompressionType : ErrorCode.CorruptMessage);
                        result.ErrorMessage = "A compressed batch could not be read.";
                        continue;
                    }
                }
                var appended = partition.Append(batches, now);
                if (appended.Error != ErrorCode.None)
                {
                    result.ErrorCode = (short)appended.Error;
                    result.ErrorMessage = Describe(appended.Error);
                    result.LogStartOffset = appended.LogStartOffset;
                    continue;
                }
                if (!appended.IsDuplicate)
                {
                    metrics.Appended(batches.Length, validation.RecordCount);
                }
                result.BaseOffset = appended.BaseOffset;
                result.LogAppendTimeMs = appended.LogAppendTime;
                result.LogStartOffset = appended.LogStartOffset;
                if (request.Acks == -1)
                {
                    var waiter = partition.AwaitReplication(appended.LastOffset + 1, out var replicated);
                    if (waiter is null && replicated != ErrorCode.None)
                    {
                        Fail(result, replicated);
                        continue;
                    }
                    (toFlush ??= []).Add(new PendingAck(partition, appended.LastOffset, waiter, result));
                }
            }
        }
        if (request.Acks == 0)
        {
            return ValueTask.FromResult<ProduceResponse?>(null);
        }
        if (toFlush is null)
        {
            AddLeaderHints(context, response);
            return ValueTask.FromResult<ProduceResponse?>(response);
        }
        return FlushThenAnswer(context, response, toFlush, request.TimeoutMs);
    }

    /// <summary>
    /// KIP-951 (v10+): a partition answered NOT_LEADER_OR_FOLLOWER names the leader this broker knows of, with
    /// its endpoint, so the client retries there at once instead of refreshing its metadata first.
    /// </summary>
    private void AddLeaderHints(RequestContext context, ProduceResponse response)
    {
        if (context.Version < 10)
        {
            return;
        }
        MetadataImage? image = null;
        foreach (var topicResponse in response.Responses)
        {
            foreach (var result in topicResponse.PartitionResponses)
            {
                if (result.ErrorCode != (short)ErrorCode.NotLeaderOrFollower)
                {
                    continue;
                }
                image ??= partitions.Image;
                if (!LeaderHints.TryFind(image, image.Topic(names.ToInternal(context.Connection, ResourceKind.Topic, topicResponse.Name)), result.Index,
                    out var leader, out var leaderEpoch))
                {
                    continue;
                }
                result.CurrentLeader = new ProduceResponse.LeaderIdAndEpoch { LeaderId = leader.Id, LeaderEpoch = leaderEpoch };
                if (!response.NodeEndpoints.Any(n => n.NodeId == leader.Id))
                {
                    response.NodeEndpoints.Add(new ProduceResponse.NodeEndpoint { NodeId = leader.Id, Host = leader.Host, Port = leader.Port, Rack = leader.Rack });
                }
            }
        }
    }

    private static bool HasTransactionalRecords(ProduceRequest request)
    {
        foreach (var topicData in request.TopicData)
        {
            foreach (var partitionData in topicData.PartitionData)
            {
                if (partitionData.Records is { Length: >= RecordBatch.HeaderSize } records
                    && (BinaryPrimitives.ReadInt16BigEndian(records.Memory.Span[RecordBatch.AttributesOffset..]) & 0x10) != 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static string? Describe(ErrorCode error) => error switch
    {
        ErrorCode.OutOfOrderSequenceNumber => "The batch's sequence number does not follow the producer's last one on this partition.",
        ErrorCode.InvalidProducerEpoch => "The producer epoch is older than the last one seen on this partition.",
        ErrorCode.InvalidTxnState => "A non-transactional batch arrived while the producer has an ongoing transaction.",
        _ => null,
    };

    private static void Fail(ProduceResponse.PartitionProduceResponse result, ErrorCode error)
    {
        result.ErrorCode = (short)error;
        result.BaseOffset = -1;
        result.LogAppendTimeMs = -1;
    }

    /// <summary>
    /// acks=-1: waits until each partition's data is fsynced here and covered by the high watermark, or the
    /// request's timeout passes (REQUEST_TIMED_OUT for what is not replicated by then).
    /// </summary>
    private async ValueTask<ProduceResponse?> FlushThenAnswer(RequestContext context, ProduceResponse response, List<PendingAck> pending, int timeoutMs)
    {
        var cancellation = context.Aborted;
        var tasks = new List<Task>(pending.Count * 2);
        foreach (var ack in pending)
        {
            tasks.Add(ack.Partition.Log.FlushAsync(ack.LastOffset, cancellation).AsTask());
            if (ack.Waiter is { } waiter)
            {
                tasks.Add(waiter.Task);
            }
        }
        var all = Task.WhenAll(tasks);
        if (!all.IsCompleted)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var delay = Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, timeoutMs)), time, timeout.Token);
            await Task.WhenAny(all, delay).ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
        }
        cancellation.ThrowIfCancellationRequested();
        foreach (var ack in pending)
        {
            if (ack.Waiter is not { } waiter)
            {
                continue;
            }
            if (!waiter.Task.IsCompleted)
            {
                ack.Partition.CancelReplicationWait(waiter);
            }
            if (waiter.Task.Result is var error and not ErrorCode.None)
            {
                Fail(ack.Result, error);
            }
        }
        if (all.IsCompleted)
        {
            // Surfaces a failed fsync as before.
            await all.ConfigureAwait(false);
        }
        AddLeaderHints(context, response);
        return response;
    }

    private sealed record PendingAck(Partition Partition, long LastOffset, Replication.ReplicationWaiter? Waiter, ProduceResponse.PartitionProduceResponse Result);
}
