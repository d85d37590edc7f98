using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kora.Protocol.Primitives;
using Kora.Storage.Log;

namespace Kora.Storage.Producers;

/// <summary>
/// A partition's producer table (Kafka's ProducerStateManager): for each producer id, what
/// <see cref="ProducerStateEntry"/> holds; plus the ongoing transactions ordered by first offset, and the
/// decided ones whose marker the high watermark has not passed yet. Together they give the first unstable
/// offset, below which read_committed consumers may read.
/// <para>
/// Not thread-safe: the partition log calls it under its append lock. An append is checked in two steps, as
/// Kafka's ProducerAppendInfo does: <see cref="BeginAppend"/> and <see cref="Stage"/> per batch work on copies,
/// and <see cref="Commit"/> applies them once the batches are written. Only <see cref="FirstUnstableOffset"/>
/// is read without the lock.
/// </para>
/// </summary>
internal sealed class ProducerStateManager
{
    private readonly Dictionary<long, ProducerStateEntry> _producers = [];
    private readonly List<CompletedTxn> _ongoing = [];
    private readonly List<CompletedTxn> _unreplicated = [];
    private readonly List<CompletedTxn> _started = [];
    private readonly List<CompletedTxn> _completed = [];
    private StagedProducer[] _staged = new StagedProducer[2];
    private int _stagedCount;
    private long _firstUnstableOffset = -1;
    private int _unreplicatedCount;

    public int Count => _producers.Count;

    /// <summary>The first offset of the oldest undecided or not yet replicated transaction; -1 when there is none.</summary>
    public long FirstUnstableOffset => Volatile.Read(ref _firstUnstableOffset);

    /// <summary>Read without the lock to skip high-watermark bookkeeping when no transaction waits for it.</summary>
    public bool HasUnreplicated => Volatile.Read(ref _unreplicatedCount) > 0;

    public IEnumerable<ProducerStateEntry> Entries => _producers.Values;

    public bool TryGet(long producerId, out ProducerStateEntry entry) => _producers.TryGetValue(producerId, out entry);

    public void BeginAppend()
    {
        _stagedCount = 0;
        _started.Clear();
        _completed.Clear();
    }

    /// <summary>
    /// Checks one batch against the producer's state as it stands after the batches staged before it, and stages
    /// the result. Returns <see cref="ErrorCode.None"/> or the error that rejects the whole append; sets
    /// <paramref name="isDuplicate"/> (with the original's metadata) when a client resends one of the retained batches.
    /// </summary>
    public ErrorCode Stage(in ProducerBatch batch, AppendOrigin origin, out BatchMetadata duplicate, out bool isDuplicate)
    {
        duplicate = default;
        isDuplicate = false;
        ref var committed = ref CollectionsMarshal.GetValueRefOrNullRef(_producers, batch.ProducerId);
        var exists = !Unsafe.IsNullRef(ref committed);
        // Kafka compares a retry with the state before this request, not with what the request staged.
        if (origin == AppendOrigin.Client && exists && committed.TryFindDuplicate(batch.ProducerEpoch, batch.FirstSequence, batch.LastSequence, out duplicate))
        {
            isDuplicate = true;
            return ErrorCode.None;
        }
        ref var staged = ref StageEntry(batch.ProducerId, ref committed, exists);
        return batch.IsControl ? StageMarker(ref staged, batch, origin) : StageData(ref staged, batch, origin);
    }

    private ErrorCode StageMarker(ref StagedProducer staged, in ProducerBatch batch, AppendOrigin origin)
    {
        if (!batch.HasMarker)
        {
            // An emptied control batch (Kafka's cleaner leaves them) changes nothing.
            return ErrorCode.None;
        }
        ref var entry = ref staged.Entry;
        if (origin != AppendOrigin.Replication)
        {
            if (batch.ProducerEpoch < entry.ProducerEpoch)
            {
                return ErrorCode.InvalidProducerEpoch;
            }
            if (entry.CoordinatorEpoch > batch.Marker.CoordinatorEpoch)
            {
                return ErrorCode.TransactionCoordinatorFenced;
            }
        }
        if (entry.CurrentTxnFirstOffset >= 0)
        {
            // A marker with no data before it does not move the last stable offset and gets no index entry.
            _completed.Add(new CompletedTxn(batch.ProducerId, entry.CurrentTxnFirstOffset, batch.FirstOffset, !batch.Marker.IsCommit));
        }
        entry.EndTransaction(batch.ProducerEpoch, batch.Marker.CoordinatorEpoch, batch.MaxTimestamp);
        return ErrorCode.None;
    }

    private ErrorCode StageData(ref StagedProducer staged, in ProducerBatch batch, AppendOrigin origin)
    {
        ref var entry = ref staged.Entry;
        if (origin != AppendOrigin.Replication && batch.ProducerEpoch < entry.ProducerEpoch)
        {
            return ErrorCode.InvalidProducerEpoch;
        }
        if (origin == AppendOrigin.Client && !InSequence(ref staged, batch))
        {
            return ErrorCode.OutOfOrderSequenceNumber;
        }
        entry.AddBatch(batch.ProducerEpoch, batch.Metadata);
        if (entry.CurrentTxnFirstOffset >= 0 && !batch.IsTransactional)
        {
            if (origin != AppendOrigin.Replication)
            {
                return ErrorCode.InvalidTxnState;
            }
        }
        else if (entry.CurrentTxnFirstOffset < 0 && batch.IsTransactional)
        {
            entry.CurrentTxnFirstOffset = batch.FirstOffset;
            _started.Add(new CompletedTxn(batch.ProducerId, batch.FirstOffset, -1, false));
        }
        return ErrorCode.None;
    }

    /// <summary>
    /// Kafka's checkSequence: a new epoch must start at sequence 0 (unless the producer was unknown); within an
    /// epoch the batch must follow the last one. A producer with no known epoch (new, expired, or its data
    /// deleted) may continue at any sequence (KIP-360), so retention does not fail a live producer.
    /// </summary>
    private static bool InSequence(ref StagedProducer staged, in ProducerBatch batch)
    {
        ref var entry = ref staged.Entry;
        if (batch.ProducerEpoch != entry.ProducerEpoch)
        {
            return batch.FirstSequence == 0 || entry.ProducerEpoch == -1;
        }
        var last = entry.LastSequence;
        return staged.CommittedEpochUnknown
            || batch.FirstSequence == last + 1L
            || (batch.FirstSequence == 0 && last == int.MaxValue);
    }

    private ref StagedProducer StageEntry(long producerId, ref ProducerStateEntry committed, bool exists)
    {
        for (var i = 0; i < _stagedCount; i++)
        {
            if (_staged[i].ProducerId == producerId)
            {
                return ref _staged[i];
            }
        }
        if (_stagedCount == _staged.Length)
        {
            Array.Resize(ref _staged, _staged.Length * 2);
        }
        ref var staged = ref _staged[_stagedCount++];
        staged.ProducerId = producerId;
        staged.Entry = exists ? committed : ProducerStateEntry.Empty(producerId);
        staged.CommittedEpochUnknown = !exists || committed.ProducerEpoch == -1;
        return ref staged;
    }

    /// <summary>
    /// Applies what <see cref="Stage"/> checked, now that the batches are in the log: producer entries, started
    /// transactions, and for each ended one an entry in <paramref name="txnIndex"/> (the segment holding its
    /// marker) when it was aborted.
    /// </summary>
    public void Commit(TransactionIndex txnIndex, long highWatermark)
    {
        for (var i = 0; i < _stagedCount; i++)
        {
            ref var staged = ref _staged[i];
            CollectionsMarshal.GetValueRefOrAddDefault(_producers, staged.ProducerId, out _) = staged.Entry;
        }
        foreach (var txn in _started)
        {
            InsertOngoing(txn);
        }
        foreach (var txn in _completed)
        {
            if (txn.IsAborted)
            {
                txnIndex.Append(new AbortedTxn(txn.ProducerId, txn.FirstOffset, txn.LastOffset, LastStableOffset(txn)));
            }
            RemoveOngoing(txn.FirstOffset);
            _unreplicated.Add(txn);
        }
        var changed = _started.Count > 0 || _completed.Count > 0;
        BeginAppend();
        if (changed)
        {
            Publish(highWatermark);
        }
    }

    /// <summary>Kafka's rule: the first offset of the next undecided transaction of another producer, else just past the marker.</summary>
    private long LastStableOffset(CompletedTxn txn)
    {
        foreach (var ongoing in _ongoing)
        {
            if (ongoing.ProducerId != txn.ProducerId)
            {
                return ongoing.FirstOffset;
            }
        }
        return txn.LastOffset + 1;
    }

    private void InsertOngoing(CompletedTxn txn)
    {
        // Transactions start in log order, so this appends; a snapshot load may arrive in any order.
        var at = _ongoing.Count;
        while (at > 0 && _ongoing[at - 1].FirstOffset > txn.FirstOffset)
        {
            at--;
        }
        _ongoing.Insert(at, txn);
    }

    private void RemoveOngoing(long firstOffset)
    {
        for (var i = 0; i < _ongoing.Count; i++)
        {
            if (_ongoing[i].FirstOffset == firstOffset)
            {
                _ongoing.RemoveAt(i);
                return;
            }
        }
    }

    /// <summary>Decided transactions whose marker is below the high watermark no longer hold the last stable offset back.</summary>
    public void OnHighWatermarkUpdated(long highWatermark) => Publish(highWatermark);

    private void Publish(long highWatermark)
    {
        var first = _ongoing.Count > 0 ? _ongoing[0].FirstOffset : long.MaxValue;
        for (var i = _unreplicated.Count - 1; i >= 0; i--)
        {
            if (_unreplicated[i].LastOffset < highWatermark)
            {
                _unreplicated.RemoveAt(i);
            }
            else
            {
                first = Math.Min(first, _unreplicated[i].FirstOffset);
            }
        }
        Volatile.Write(ref _unreplicatedCount, _unreplicated.Count);
        Volatile.Write(ref _firstUnstableOffset, first == long.MaxValue ? -1 : first);
    }

    /// <summary>Removes producers idle for <paramref name="expirationMs"/> by their last batch timestamp, never one with an ongoing transaction.</summary>
    public int RemoveExpired(long nowMs, long expirationMs)
    {
        var removed = 0;
        foreach (var (producerId, entry) in _producers)
        {
            if (IsExpired(entry, nowMs, expirationMs))
            {
                _producers.Remove(producerId);
                removed++;
            }
        }
        return removed;
    }

    public static bool IsExpired(in ProducerStateEntry entry, long nowMs, long expirationMs) =>
        entry.CurrentTxnFirstOffset < 0 && nowMs - entry.LastTimestamp >= expirationMs;

    /// <summary>Forgets everything (full truncation, or before a reload).</summary>
    public void Clear()
    {
        _producers.Clear();
        _ongoing.Clear();
        _unreplicated.Clear();
        BeginAppend();
        Publish(long.MaxValue);
    }

    /// <summary>Adds an entry read from a snapshot, with its ongoing transaction. <see cref="OnHighWatermarkUpdated"/> publishes the result.</summary>
    public void Load(ProducerStateEntry entry)
    {
        _producers[entry.ProducerId] = entry;
        if (entry.CurrentTxnFirstOffset >= 0)
        {
            InsertOngoing(new CompletedTxn(entry.ProducerId, entry.CurrentTxnFirstOffset, -1, false));
        }
    }

    private struct StagedProducer
    {
        public long ProducerId;
        public bool CommittedEpochUnknown;
        public ProducerStateEntry Entry;
    }
}
