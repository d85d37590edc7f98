using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>AddPartitionsToTxn (and AddOffsetsToTxn, which adds a <c>__consumer_offsets</c> partition), and KIP-890's verify-only check.</summary>
public sealed partial class TransactionCoordinator
{
    public async ValueTask<ErrorCode> AddPartitionsAsync(string transactionalId, long producerId, short producerEpoch, IReadOnlyCollection<TopicPartitionKey> partitions)
    {
        if (string.IsNullOrEmpty(transactionalId))
        {
            return ErrorCode.InvalidRequest;
        }
        if (Unavailable(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return unavailable;
        }
        TransactionMetadata? metadata;
        TxnTransit transit;
        lock (_lock)
        {
            if (!_transactions.TryGetValue(transactionalId, out metadata) || metadata.ProducerId != producerId)
            {
                return ErrorCode.InvalidProducerIdMapping;
            }
            if (metadata.ProducerEpoch != producerEpoch)
            {
                return ErrorCode.ProducerFenced;
            }
            if (metadata.PendingTransitionInProgress
                || metadata.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort or TransactionState.Dead or TransactionState.PrepareEpochFence)
            {
                return ErrorCode.ConcurrentTransactions;
            }
            if (metadata.State == TransactionState.Ongoing && metadata.Partitions.IsSupersetOf(partitions))
            {
                return ErrorCode.None;
            }
            transit = metadata.PrepareAddPartitions(partitions, Now);
        }
        return await AppendAsync(metadata, transit).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the partitions are in the producer's open transaction, without adding them. Returns one error for
    /// all partitions, or None with the error of each (None when in the transaction, <paramref name="notInTransaction"/> when not).
    /// </summary>
    public (ErrorCode Error, Dictionary<TopicPartitionKey, ErrorCode> PerPartition) VerifyPartitions(string transactionalId, long producerId, short producerEpoch,
        IReadOnlyCollection<TopicPartitionKey> partitions, ErrorCode notInTransaction)
    {
        if (string.IsNullOrEmpty(transactionalId))
        {
            return (ErrorCode.InvalidRequest, []);
        }
        if (Unavailable(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return (unavailable, []);
        }
        lock (_lock)
        {
            if (!_transactions.TryGetValue(transactionalId, out var metadata) || metadata.ProducerId != producerId)
            {
                return (ErrorCode.InvalidProducerIdMapping, []);
            }
            if (metadata.ProducerEpoch != producerEpoch)
            {
                return (ErrorCode.ProducerFenced, []);
            }
            if (metadata.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort)
            {
                return (ErrorCode.ConcurrentTransactions, []);
            }
            var result = new Dictionary<TopicPartitionKey, ErrorCode>();
            foreach (var p in partitions)
            {
                result[p] = metadata.Partitions.Contains(p) ? ErrorCode.None : notInTransaction;
            }
            return (ErrorCode.None, result);
        }
    }

    /// <summary>
    /// Whether a transactional offset commit comes from the producer that currently holds the transactional id,
    /// with the group's offsets partition in its open transaction.
    /// </summary>
    public ErrorCode ValidateOffsetCommit(string transactionalId, long producerId, short producerEpoch, TopicPartitionKey offsetsPartition)
    {
        if (string.IsNullOrEmpty(transactionalId))
        {
            return ErrorCode.InvalidRequest;
        }
        lock (_lock)
        {
            if (!_transactions.TryGetValue(transactionalId, out var metadata) || metadata.ProducerId != producerId)
            {
                return ErrorCode.InvalidProducerIdMapping;
            }
            if (producerEpoch != metadata.ProducerEpoch)
            {
                // What the offsets partition's producer state check answers a batch with another epoch.
                return ErrorCode.InvalidProducerEpoch;
            }
            return metadata.State == TransactionState.Ongoing && metadata.Partitions.Contains(offsetsPartition) ? ErrorCode.None : ErrorCode.InvalidTxnState;
        }
    }
}
