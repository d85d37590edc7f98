namespace Kora.Storage.Compaction;

/// <summary>
/// Kafka's CleanedTransactionMetadata: follows transactions while the cleaner walks the log in offset order, to
/// tell which data batches belong to aborted transactions (removable) and which markers no longer guard any data.
/// </summary>
internal sealed class CleanedTransactionState
{
    private readonly HashSet<long> _ongoingCommitted = [];
    private readonly Dictionary<long, bool> _ongoingAborted = [];
    private readonly PriorityQueue<AbortedTransaction, long> _pending = new();

    public void AddAborted(IEnumerable<AbortedTransaction> transactions)
    {
        foreach (var transaction in transactions)
        {
            _pending.Enqueue(transaction, transaction.FirstOffset);
        }
    }

    /// <summary>A control batch was reached. True when it can be discarded: its transaction has no data left.</summary>
    public bool OnControlBatch(long producerId, long lastOffset, ControlRecordType type)
    {
        ConsumeAbortedUpTo(lastOffset);
        switch (type)
        {
            case ControlRecordType.Abort:
                // The marker stays until every batch of the transaction is gone.
                return !(_ongoingAborted.Remove(producerId, out var sawData) && sawData);
            case ControlRecordType.Commit:
                return !_ongoingCommitted.Remove(producerId);
            case ControlRecordType.None:
                // No record left: an earlier cleaning already emptied it.
                return true;
            default:
                return false;
        }
    }

    /// <summary>A data batch was reached. True when it belongs to an aborted transaction.</summary>
    public bool OnDataBatch(long producerId, long lastOffset, bool transactional)
    {
        ConsumeAbortedUpTo(lastOffset);
        if (!transactional)
        {
            return false;
        }
        if (_ongoingAborted.ContainsKey(producerId))
        {
            _ongoingAborted[producerId] = true;
            return true;
        }
        _ongoingCommitted.Add(producerId);
        return false;
    }

    private void ConsumeAbortedUpTo(long offset)
    {
        while (_pending.TryPeek(out var transaction, out var first) && first <= offset)
        {
            _pending.Dequeue();
            _ongoingAborted.TryAdd(transaction.ProducerId, false);
        }
    }
}
