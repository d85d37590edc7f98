using Kora.Broker.Coordinators;
using Kora.Broker.Groups;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Metadata;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Log;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Transactions;

/// <summary>
/// The internal compacted topic <c>__transaction_state</c>: a transactional id's records go to partition
/// <c>abs(transactionalId.hashCode()) % transaction.state.log.num.partitions</c>, as Kafka places them.
/// Created on the first coordinator lookup; every append is fsynced and replicated to the ISR before the
/// coordinator acts on it.
/// </summary>
public sealed class TransactionStateLog(PartitionManager partitions, TopicAdmin admin, IOptions<BrokerOptions> options, TimeProvider time) : ITransactionLog
{
    public const string TopicName = "__transaction_state";
    private readonly BrokerOptions _options = options.Value;
    private readonly int _partitionCount = options.Value.TransactionStateLogNumPartitions;
    private readonly LoadingPartitions _loading = new();
    private volatile bool _ready;

    public bool IsReady
    {
        get
        {
            if (!_ready && admin.Image.Topic(TopicName) is not null)
            {
                _ready = true;
            }
            return _ready;
        }
    }

    /// <summary>The partitions the topic has; the setting applies only when creating it, as in Kafka.</summary>
    public int PartitionCount => admin.Image.Topic(TopicName)?.Partitions.Length ?? _partitionCount;

    public int PartitionFor(string transactionalId) => ConsumerOffsetsLog.PartitionFor(transactionalId, PartitionCount);

    public bool IsLoading(string transactionalId) => _loading.IsLoading(PartitionFor(transactionalId));

    /// <summary>Marks a partition being loaded; each true is matched by a false when that load ends.</summary>
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

    public int CoordinatorEpoch(string transactionalId) => partitions.Get(TopicName, PartitionFor(transactionalId))?.LeaderEpoch ?? 0;

    /// <summary>Creates the topic when missing. False when it cannot be created yet (no registered broker).</summary>
    public async ValueTask<bool> EnsureTopicAsync(CancellationToken cancellation)
    {
        if (IsReady)
        {
            return true;
        }
        if (admin.Image.Topic(TopicName) is null)
        {
            var replicas = admin.InternalReplicationFactor(_options.TransactionStateLogReplicationFactor);
            var minIsr = Math.Min(_options.TransactionStateLogMinIsr, (int)replicas).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var spec = new TopicSpec(TopicName, _partitionCount, replicas, null,
                [new("cleanup.policy", "compact"), new("compression.type", "uncompressed"), new("segment.bytes", "104857600"), new("min.insync.replicas", minIsr)]);
            var result = await admin.CreateTopicAsync(spec, validateOnly: false, cancellation).ConfigureAwait(false);
            if (result.Error is not ErrorCode.None and not ErrorCode.TopicAlreadyExists)
            {
                return false;
            }
        }
        return IsReady;
    }

    public async ValueTask<ErrorCode> AppendAsync(string transactionalId, byte[] key, byte[]? value, CancellationToken cancellationToken)
    {
        // Only the leader of the transactional id's partition coordinates it (and may write its state).
        if (partitions.GetLed(TopicName, PartitionFor(transactionalId), out _) is not { } partition)
        {
            return ErrorCode.NotCoordinator;
        }
        if (!partition.HasEnoughInsyncReplicas)
        {
            return CoordinatorWriteErrors.ForTransactionState(ErrorCode.NotEnoughReplicas);
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = new RecordBatchBuilder(now).Add(key, value ?? [], now, nullValue: value is null).Build();
        long last;
        try
        {
            var result = partition.Append(batch, now);
            if (result.Error != ErrorCode.None)
            {
                return CoordinatorWriteErrors.ForTransactionState(result.Error);
            }
            last = result.LastOffset;
        }
        catch (ObjectDisposedException)
        {
            return ErrorCode.NotCoordinator;
        }
        catch (IOException)
        {
            return ErrorCode.NotCoordinator;
        }
        // acks=-1: the coordinator acts on a state only once every in-sync replica holds it.
        var written = await partition.AwaitCommittedAsync(last, _options.TransactionStateWriteTimeoutMs, time, cancellationToken).ConfigureAwait(false);
        return CoordinatorWriteErrors.ForTransactionState(written);
    }

    /// <summary>Feeds every record of every hosted partition, in offset order, to <paramref name="apply"/> (null value: tombstone).</summary>
    public int Replay(Action<byte[], byte[]?> apply)
    {
        var count = 0;
        var partitionCount = PartitionCount;
        for (var p = 0; p < partitionCount; p++)
        {
            count += ReplayPartition(p, apply);
        }
        return count;
    }

    /// <summary>Feeds the records of one partition (none when it is not hosted here), as <see cref="Replay"/> does.</summary>
    public int ReplayPartition(int index, Action<byte[], byte[]?> apply)
    {
        if (partitions.Get(TopicName, index) is not { } partition)
        {
            return 0;
        }
        return LogReplay.Run(partition.Log, (_, record) =>
        {
            if (!record.KeyIsNull)
            {
                apply(record.Key.ToArray(), record.ValueIsNull ? null : record.Value.ToArray());
            }
        });
    }
}
