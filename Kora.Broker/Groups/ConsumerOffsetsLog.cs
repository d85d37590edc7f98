using Kora.Broker.Coordinators;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Metadata;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Log;
using Kora.Storage.Producers;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Groups;

/// <summary>
/// The internal compacted topic <c>__consumer_offsets</c>: a group's records go to partition
/// <c>abs(groupId.hashCode()) % partitions</c> as Kafka places them. Created on first use; replayed at start.
/// </summary>
public sealed class ConsumerOffsetsLog(PartitionManager partitions, TopicAdmin admin, IOptions<BrokerOptions> options, TimeProvider time) : IGroupLog
{
    public const string TopicName = "__consumer_offsets";
    private readonly LoadingPartitions _loading = new();
    private readonly BrokerOptions _options = options.Value;
    private readonly int _partitionCount = options.Value.OffsetsTopicNumPartitions;
    private volatile bool _ready;

    /// <summary>Java's String.hashCode over UTF-16 code units.</summary>
    public static int JavaHashCode(string value)
    {
        var hash = 0;
        foreach (var c in value)
        {
            hash = unchecked((31 * hash) + c);
        }
        return hash;
    }

    /// <summary>Kafka's Utils.abs (MIN_VALUE maps to 0) of the hash, modulo the partition count.</summary>
    public static int PartitionFor(string groupId, int partitionCount)
    {
        var hash = JavaHashCode(groupId);
        return (hash == int.MinValue ? 0 : Math.Abs(hash)) % partitionCount;
    }

    public int PartitionFor(string groupId) => PartitionFor(groupId, _partitionCount);

    /// <summary>Creates the topic when missing. False when it cannot be created yet (no registered broker).</summary>
    public async ValueTask<bool> EnsureTopicAsync(CancellationToken cancellation)
    {
        if (_ready)
        {
            return true;
        }
        if (admin.Image.Topic(TopicName) is null)
        {
            var replicas = admin.InternalReplicationFactor(_options.OffsetsTopicReplicationFactor);
            // Kafka leaves min.insync.replicas of the topic at the broker default; like Confluent, one failure
            // may not take a replicated offsets topic below two copies of a commit.
            var minIsr = Math.Min(_options.OffsetsTopicMinIsr, (int)replicas).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var spec = new TopicSpec(TopicName, _partitionCount, replicas, null,
                [new("cleanup.policy", "compact"), new("min.insync.replicas", minIsr)]);
            var result = await admin.CreateTopicAsync(spec, validateOnly: false, cancellation).ConfigureAwait(false);
            if (result.Error is not ErrorCode.None and not ErrorCode.TopicAlreadyExists)
            {
                return false;
            }
        }
        _ready = admin.Image.Topic(TopicName) is not null;
        return _ready;
    }

    /// <summary>
    /// NONE when this broker coordinates <paramref name="groupId"/> (it leads the group's partition);
    /// NOT_COORDINATOR when another broker does, so the client looks the coordinator up again.
    /// </summary>
    public ErrorCode CoordinatorError(string groupId)
    {
        var index = PartitionFor(groupId);
        return partitions.GetLed(TopicName, index, out _) is null
            ? admin.Image.Topic(TopicName) is null ? ErrorCode.CoordinatorNotAvailable : ErrorCode.NotCoordinator
            : _loading.IsLoading(index) ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None;
    }

    /// <summary>
    /// Marks a partition whose groups are being loaded (each true is matched by a false when that load ends): its
    /// groups answer COORDINATOR_LOAD_IN_PROGRESS until every load queued for it has ended.
    /// </summary>
    public void SetLoading(int index, bool loading)
    {
        if (loading)
        {
            _loading.Begin(index);
        }
        else
        {
            _loading.End(index);
        }
    }

    public void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        if (records.Count == 0 || partitions.Get(TopicName, PartitionFor(groupId)) is not { } partition)
        {
            return;
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var builder = new RecordBatchBuilder(now);
        foreach (var (key, value) in records)
        {
            builder.Add(key, value ?? [], now, nullValue: value is null);
        }
        partition.Append(builder.Build(), now);
    }

    /// <summary>
    /// Completes once everything appended for <paramref name="groupId"/> so far is fsynced here and held by every
    /// in-sync replica (acks=-1, within offsets.commit.timeout.ms): a write is acknowledged only when it would
    /// survive the loss of this broker. Returns the append's error (NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    /// REQUEST_TIMED_OUT, NOT_LEADER_OR_FOLLOWER, ...) for the caller to map as its API does.
    /// </summary>
    public ValueTask<ErrorCode> AwaitWrittenAsync(string groupId, CancellationToken cancellation) =>
        partitions.Get(TopicName, PartitionFor(groupId)) is { } partition
            ? partition.AwaitCommittedAsync(partition.Log.LogEndOffset - 1, _options.OffsetsCommitTimeoutMs, time, cancellation)
            : ValueTask.FromResult(ErrorCode.UnknownTopicOrPartition);

    /// <summary>Kafka's check before a coordinator's acks=-1 append: NOT_ENOUGH_REPLICAS when the ISR is too small.</summary>
    public ErrorCode CheckWritable(string groupId) =>
        partitions.Get(TopicName, PartitionFor(groupId)) is not { } partition ? ErrorCode.UnknownTopicOrPartition
        : partition.HasEnoughInsyncReplicas ? ErrorCode.None
        : ErrorCode.NotEnoughReplicas;

    /// <summary>
    /// The producer's transactional batch, appended as Kafka's group coordinator does: its epoch is checked
    /// against the partition's producer state, its sequence is not (the broker writes it, not the client).
    /// </summary>
    public ErrorCode AppendTransactional(string groupId, long producerId, short producerEpoch, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        if (partitions.Get(TopicName, PartitionFor(groupId)) is not { } partition)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        if (records.Count == 0)
        {
            return ErrorCode.None;
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var builder = new RecordBatchBuilder(now, producerId, producerEpoch, baseSequence: 0, attributes: TransactionalAttribute);
        foreach (var (key, value) in records)
        {
            builder.Add(key, value ?? [], now, nullValue: value is null);
        }
        AppendResult result;
        try
        {
            result = partition.Log.Append(builder.Build(), now, partition.LeaderEpoch, AppendOrigin.Coordinator);
        }
        catch (ObjectDisposedException)
        {
            return ErrorCode.NotCoordinator;
        }
        catch (IOException)
        {
            return ErrorCode.NotCoordinator;
        }
        if (result.Error != ErrorCode.None)
        {
            return CoordinatorWriteErrors.ForOffsetCommit(result.Error);
        }
        // The high watermark moves once the in-sync replicas have the batch (at once for a lone replica).
        partition.MaybeAdvanceHighWatermark();
        partition.Wake();
        return ErrorCode.None;
    }

    /// <summary>
    /// Feeds every record of every partition, in offset order: plain records to <paramref name="apply"/>, records of
    /// transactional batches to <paramref name="applyTransactional"/> with their producer id, and each transaction
    /// marker to <paramref name="marker"/> (producer id, committed, whether a group lives on the marker's partition).
    /// </summary>
    public int Replay(Action<byte[], byte[]?> apply, Action<long, byte[], byte[]?> applyTransactional, Action<long, bool, Func<string, bool>> marker)
    {
        var count = 0;
        for (var p = 0; p < _partitionCount; p++)
        {
            count += ReplayPartition(p, apply, applyTransactional, marker);
        }
        return count;
    }

    /// <summary>Feeds the records of one partition (none when it is not hosted here), as <see cref="Replay"/> does.</summary>
    public int ReplayPartition(int index, Action<byte[], byte[]?> apply, Action<long, byte[], byte[]?> applyTransactional, Action<long, bool, Func<string, bool>> marker)
    {
        if (partitions.Get(TopicName, index) is not { } partition)
        {
            return 0;
        }
        Func<string, bool> groupOnPartition = group => PartitionFor(group) == index;
        return LogReplay.Run(partition.Log, (batch, record) =>
        {
            if (record.KeyIsNull)
            {
                return;
            }
            var key = record.Key.ToArray();
            var value = record.ValueIsNull ? null : record.Value.ToArray();
            if (batch.IsTransactional)
            {
                applyTransactional(batch.ProducerId, key, value);
            }
            else
            {
                apply(key, value);
            }
        }, batch =>
        {
            if (EndTransactionMarker.TryRead(batch, out var end))
            {
                marker(batch.ProducerId, end.IsCommit, groupOnPartition);
            }
        });
    }

    private const short TransactionalAttribute = 0x10;
}
