namespace Kora.Storage.Producers;

/// <summary>
/// One producer id's state on a partition (Kafka's ProducerStateEntry): its epoch, the last
/// <see cref="RetainedBatches"/> batches of that epoch (oldest first), the coordinator epoch of its last marker
/// and the first offset of its ongoing transaction. A value type, so the append path stages a copy, checks a
/// request against it and commits it only once the bytes are written.
/// </summary>
internal struct ProducerStateEntry
{
    /// <summary>Kafka retains five, matching the client's max.in.flight.requests.per.connection limit for idempotence.</summary>
    public const int RetainedBatches = 5;

    private BatchMetadataBuffer _batches;
    private int _start;
    private int _count;

    public long ProducerId { get; private set; }
    public short ProducerEpoch { get; private set; }
    public int CoordinatorEpoch { get; private set; }
    public long LastTimestamp { get; private set; }

    /// <summary>-1 when the producer has no ongoing transaction.</summary>
    public long CurrentTxnFirstOffset { get; set; }

    public readonly int BatchCount => _count;

    /// <summary>-1 when no batch of the current epoch is retained.</summary>
    public readonly int LastSequence => _count == 0 ? -1 : Batch(_count - 1).LastSequence;

    public readonly long LastOffset => _count == 0 ? -1 : Batch(_count - 1).LastOffset;

    public static ProducerStateEntry Empty(long producerId) => new()
    {
        ProducerId = producerId,
        ProducerEpoch = -1,
        CoordinatorEpoch = -1,
        LastTimestamp = -1,
        CurrentTxnFirstOffset = -1,
    };

    /// <summary>A stored entry, as a snapshot holds it; its batches follow through <see cref="RestoreBatch"/>.</summary>
    public static ProducerStateEntry Restore(long producerId, short epoch, int coordinatorEpoch, long lastTimestamp, long currentTxnFirstOffset) => new()
    {
        ProducerId = producerId,
        ProducerEpoch = epoch,
        CoordinatorEpoch = coordinatorEpoch,
        LastTimestamp = lastTimestamp,
        CurrentTxnFirstOffset = currentTxnFirstOffset,
    };

    /// <summary>The <paramref name="index"/>-th retained batch, oldest first.</summary>
    public readonly BatchMetadata Batch(int index) => _batches[(_start + index) % RetainedBatches];

    public readonly bool TryFindDuplicate(short epoch, int firstSequence, int lastSequence, out BatchMetadata duplicate)
    {
        if (epoch == ProducerEpoch)
        {
            for (var i = 0; i < _count; i++)
            {
                var batch = Batch(i);
                if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence)
                {
                    duplicate = batch;
                    return true;
                }
            }
        }
        duplicate = default;
        return false;
    }

    /// <summary>A new epoch starts with no retained batches: its sequences start again at 0.</summary>
    public void MaybeUpdateEpoch(short epoch)
    {
        if (epoch != ProducerEpoch)
        {
            _start = 0;
            _count = 0;
            ProducerEpoch = epoch;
        }
    }

    public void AddBatch(short epoch, BatchMetadata batch)
    {
        MaybeUpdateEpoch(epoch);
        RestoreBatch(batch);
        LastTimestamp = batch.Timestamp;
    }

    public void RestoreBatch(BatchMetadata batch)
    {
        if (_count == RetainedBatches)
        {
            _start = (_start + 1) % RetainedBatches;
            _count--;
        }
        _batches[(_start + _count) % RetainedBatches] = batch;
        _count++;
    }

    /// <summary>A marker ends the transaction, whether or not one was ongoing, and records the coordinator's epoch.</summary>
    public void EndTransaction(short epoch, int coordinatorEpoch, long timestamp)
    {
        MaybeUpdateEpoch(epoch);
        CoordinatorEpoch = coordinatorEpoch;
        CurrentTxnFirstOffset = -1;
        LastTimestamp = timestamp;
    }

    public readonly ProducerState ToPublic()
    {
        var batches = new BatchMetadata[_count];
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = Batch(i);
        }
        return new ProducerState(ProducerId, ProducerEpoch, LastSequence, LastOffset, LastTimestamp, CoordinatorEpoch, CurrentTxnFirstOffset, batches);
    }
}
