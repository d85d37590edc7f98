using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>Rebuilding state from <c>__transaction_state</c> at start, and finishing transactions a restart interrupted.</summary>
public sealed partial class TransactionCoordinator
{
    /// <summary>Applies one record of the log, in log order: the latest value of a transactional id wins; a tombstone forgets it.</summary>
    public void Replay(byte[] key, byte[]? value)
    {
        string? id = null;
        try
        {
            id = TransactionLogCodec.ReadKey(key);
            if (id is null)
            {
                return;
            }
            lock (_lock)
            {
                if (value is null)
                {
                    _transactions.Remove(id);
                    return;
                }
                _transactions[id] = TransactionMetadata.FromTransit(id, TransactionLogCodec.ReadValue(value));
            }
        }
        catch (KafkaProtocolException e)
        {
            Log.Unreadable(logger, id, e);
        }
    }

    /// <summary>
    /// After replay: transactions found in PrepareCommit or PrepareAbort had their outcome decided before the restart,
    /// so their markers are sent again and they are completed. Returns how many were resumed.
    /// </summary>
    public int ResumePreparedTransactions()
    {
        var resumed = new List<(TransactionMetadata Metadata, TxnTransit Complete, HashSet<TopicPartitionKey> Partitions, bool Commit)>();
        lock (_lock)
        {
            foreach (var m in _transactions.Values)
            {
                if (m.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort && !m.PendingTransitionInProgress)
                {
                    var commit = m.State == TransactionState.PrepareCommit;
                    var partitions = new HashSet<TopicPartitionKey>(m.Partitions);
                    resumed.Add((m, m.PrepareComplete(Now), partitions, commit));
                }
            }
        }
        foreach (var (metadata, complete, partitions, commit) in resumed)
        {
            Log.Resuming(logger, commit ? "commit" : "abort", metadata.TransactionalId);
            Track(CompleteAsync(metadata, complete, partitions, commit));
        }
        return resumed.Count;
    }

    /// <summary>
    /// Kafka's onResignation: forgets the transactional ids of a <c>__transaction_state</c> partition this
    /// broker no longer leads; their new coordinator replays them from the partition.
    /// </summary>
    public int Unload(Func<string, bool> onPartition)
    {
        lock (_lock)
        {
            var gone = _transactions.Keys.Where(onPartition).ToList();
            foreach (var id in gone)
            {
                _transactions.Remove(id);
            }
            return gone.Count;
        }
    }

    /// <summary>How many transactional ids are known, for logging and tests.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _transactions.Count;
            }
        }
    }
}
