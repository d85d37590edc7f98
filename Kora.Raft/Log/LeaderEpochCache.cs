namespace Kora.Raft.Log;

/// <summary>
/// The start offset of every leader epoch present in the log (Kafka's leader-epoch checkpoint), the
/// index that answers "where does epoch E end" for divergence checks and truncation.
/// </summary>
public sealed class LeaderEpochCache
{
    private readonly List<(int Epoch, long StartOffset)> _entries = [];

    public int Count => _entries.Count;

    public int LatestEpoch => _entries.Count == 0 ? -1 : _entries[^1].Epoch;

    public void Assign(int epoch, long startOffset)
    {
        if (_entries.Count > 0)
        {
            var last = _entries[^1];
            if (epoch == last.Epoch)
            {
                return;
            }
            if (epoch < last.Epoch || startOffset < last.StartOffset)
            {
                throw new InvalidOperationException($"Epoch {epoch} at {startOffset} goes back from epoch {last.Epoch} at {last.StartOffset}.");
            }
        }
        _entries.Add((epoch, startOffset));
    }

    /// <summary>Forgets epochs that start at or after the new end of the log.</summary>
    public void TruncateFromEnd(long endOffset)
    {
        while (_entries.Count > 0 && _entries[^1].StartOffset >= endOffset)
        {
            _entries.RemoveAt(_entries.Count - 1);
        }
    }

    /// <summary>Forgets epochs that end before the new start of the log; the first kept epoch now starts there.</summary>
    public void TruncateFromStart(long startOffset)
    {
        while (_entries.Count > 1 && _entries[1].StartOffset <= startOffset)
        {
            _entries.RemoveAt(0);
        }
        if (_entries.Count > 0 && _entries[0].StartOffset < startOffset)
        {
            _entries[0] = (_entries[0].Epoch, startOffset);
        }
    }

    public void Clear() => _entries.Clear();

    /// <summary>
    /// Kafka's LeaderEpochFileCache.endOffsetFor: the largest epoch not above <paramref name="epoch"/>
    /// and the offset where it ends; null when the epoch is above every known epoch or none is known.
    /// An epoch below every known one ends where the first known epoch starts.
    /// </summary>
    public OffsetAndEpoch? EndOffsetFor(int epoch, long logEndOffset)
    {
        if (epoch < 0 || _entries.Count == 0)
        {
            return null;
        }
        if (_entries[^1].Epoch == epoch)
        {
            return new OffsetAndEpoch(logEndOffset, epoch);
        }
        var higher = _entries.FindIndex(e => e.Epoch > epoch);
        if (higher < 0)
        {
            return null;
        }
        if (higher == 0)
        {
            return new OffsetAndEpoch(_entries[0].StartOffset, epoch);
        }
        return new OffsetAndEpoch(_entries[higher].StartOffset, _entries[higher - 1].Epoch);
    }
}
