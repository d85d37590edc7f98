namespace Kora.Storage.Epochs;

/// <summary>
/// Kafka's LeaderEpochFileCache: which leader epoch wrote which offsets, as (epoch, start offset) pairs with
/// both strictly increasing. A follower compares its cache with the leader's to find where its log diverged
/// (KIP-101/279). Changes are rare (once per leader election), so every change rewrites the checkpoint; the
/// write happens outside the log's append lock, under this cache's own lock only. A new epoch is written
/// without fsync (as Kafka does since KAFKA-15046: a broker becoming leader of thousands of partitions must not
/// fsync thousands of files); a truncation is fsynced, since a truncated tail must never come back.
/// </summary>
public sealed class LeaderEpochCache
{
    private readonly Lock _lock = new();
    private readonly string? _directory;
    private readonly List<EpochEntry> _entries;
    private int _latest = EpochEndOffset.UndefinedEpoch;
    private bool _dirty;
    private bool _truncated;

    /// <summary>A cache persisted in <paramref name="directory"/> (null keeps it in memory, for tests).</summary>
    public LeaderEpochCache(string? directory, IEnumerable<EpochEntry> entries)
    {
        _directory = directory;
        _entries = [];
        foreach (var entry in entries)
        {
            if (_entries.Count == 0 || (entry.Epoch > _entries[^1].Epoch && entry.StartOffset >= _entries[^1].StartOffset))
            {
                _entries.Add(entry);
            }
        }
        Publish();
    }

    public static LeaderEpochCache Load(string directory) => new(directory, LeaderEpochCheckpoint.Read(directory));

    /// <summary>The latest epoch, or -1 when none is known.</summary>
    public int LatestEpoch => Volatile.Read(ref _latest);

    public IReadOnlyList<EpochEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/>. An older or equal epoch
    /// changes nothing; entries at or after the offset are replaced, as Kafka's assign does. Returns whether the
    /// cache changed (the caller then calls <see cref="Flush"/>, outside its own locks).
    /// </summary>
    public bool Assign(int epoch, long startOffset)
    {
        // Every append asks; only a new epoch takes the lock.
        if (epoch < 0 || epoch <= Volatile.Read(ref _latest))
        {
            return false;
        }
        lock (_lock)
        {
            if (_entries.Count > 0 && epoch <= _entries[^1].Epoch)
            {
                return false;
            }
            _entries.RemoveAll(e => e.StartOffset >= startOffset);
            _entries.Add(new EpochEntry(epoch, startOffset));
            _dirty = true;
            Publish();
            return true;
        }
    }

    /// <summary>
    /// Kafka's endOffsetFor: for the latest epoch, the log end; for an older one, the largest known epoch at or
    /// below it and the start offset of the first epoch above it; undefined for an epoch above the latest.
    /// </summary>
    public EpochEndOffset EndOffsetFor(int requestedEpoch, long logEndOffset)
    {
        lock (_lock)
        {
            if (requestedEpoch == EpochEndOffset.UndefinedEpoch || _entries.Count == 0)
            {
                return EpochEndOffset.Undefined;
            }
            if (requestedEpoch == _entries[^1].Epoch)
            {
                return new EpochEndOffset(requestedEpoch, logEndOffset);
            }
            var higher = _entries.FindIndex(e => e.Epoch > requestedEpoch);
            if (higher < 0)
            {
                return EpochEndOffset.Undefined;
            }
            return higher == 0
                ? new EpochEndOffset(requestedEpoch, _entries[0].StartOffset)
                : new EpochEndOffset(_entries[higher - 1].Epoch, _entries[higher].StartOffset);
        }
    }

    /// <summary>Forgets epochs starting at or after <paramref name="endOffset"/> (the log was truncated there).</summary>
    public bool TruncateFromEnd(long endOffset)
    {
        lock (_lock)
        {
            var removed = _entries.RemoveAll(e => e.StartOffset >= endOffset);
            _dirty |= removed > 0;
            _truncated |= removed > 0;
            Publish();
            return removed > 0;
        }
    }

    /// <summary>
    /// Forgets epochs wholly before <paramref name="startOffset"/> (the log start moved); the epoch holding
    /// the new start is kept, starting there.
    /// </summary>
    public bool TruncateFromStart(long startOffset)
    {
        lock (_lock)
        {
            var floor = _entries.FindLastIndex(e => e.StartOffset <= startOffset);
            if (floor < 0 || (floor == 0 && _entries[0].StartOffset == startOffset))
            {
                return false;
            }
            var kept = _entries[floor] with { StartOffset = startOffset };
            _entries.RemoveRange(0, floor + 1);
            _entries.Insert(0, kept);
            _dirty = true;
            _truncated = true;
            return true;
        }
    }

    private void Publish() => Volatile.Write(ref _latest, _entries.Count == 0 ? EpochEndOffset.UndefinedEpoch : _entries[^1].Epoch);

    /// <summary>Writes the checkpoint when the cache changed since the last write.</summary>
    public void Flush()
    {
        if (_directory is null)
        {
            return;
        }
        lock (_lock)
        {
            if (!_dirty)
            {
                return;
            }
            var durable = _truncated;
            _dirty = false;
            _truncated = false;
            // A deleted partition has no folder left to checkpoint into.
            if (Directory.Exists(_directory))
            {
                LeaderEpochCheckpoint.Write(_directory, _entries, durable);
            }
        }
    }
}
