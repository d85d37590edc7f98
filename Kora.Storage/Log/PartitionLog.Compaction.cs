namespace Kora.Storage.Log;

/// <summary>What the log cleaner needs of the log: a snapshot of its segments, and the swap of cleaned segments.</summary>
public sealed partial class PartitionLog
{
    private long _truncations;

    /// <summary>The current segments, oldest first; the last is the active one. Never modified in place.</summary>
    internal LogSegment[] SegmentSnapshot => Volatile.Read(ref _segments);

    /// <summary>Moves on every truncation, so the cleaner can tell its input changed under it.</summary>
    internal long TruncationCount => Volatile.Read(ref _truncations);

    internal bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>
    /// Replaces <paramref name="replaced"/> (consecutive closed segments) by <paramref name="cleaned"/>, which was
    /// written under the .cleaned names and fsynced. False, leaving the log untouched, when the log changed since the
    /// cleaner took its snapshot: a segment was deleted by retention, the log was truncated, closed or deleted.
    /// <para>
    /// Crash safety: the log file is first renamed to .swap, which recovery treats as committed (it deletes the
    /// segments the swap covers and renames it into place); then the old segments are unlinked and the new files
    /// renamed to their final names. Only renames and unlinks happen under the lock. Readers holding the old segments
    /// keep reading them until their handles close after the grace period.
    /// </para>
    /// </summary>
    internal bool ReplaceSegments(LogSegment cleaned, IReadOnlyList<LogSegment> replaced, long truncationCount)
    {
        lock (_lock)
        {
            var segments = _segments;
            if (_closed || _truncations != truncationCount || replaced.Count == 0)
            {
                return false;
            }
            var start = Array.IndexOf(segments, replaced[0]);
            if (start < 0 || start + replaced.Count >= segments.Length)
            {
                return false;
            }
            for (var i = 1; i < replaced.Count; i++)
            {
                if (!ReferenceEquals(segments[start + i], replaced[i]))
                {
                    return false;
                }
            }
            var cleanedLog = cleaned.LogPath + LogFiles.CleanedSuffix;
            var swap = cleaned.LogPath + LogFiles.SwapSuffix;
            LogFiles.Rename(cleanedLog, swap);
            Retire(segments.AsSpan(start, replaced.Count));
            LogFiles.Rename(cleaned.OffsetIndex.Path + LogFiles.CleanedSuffix, cleaned.OffsetIndex.Path);
            LogFiles.Rename(cleaned.TimeIndex.Path + LogFiles.CleanedSuffix, cleaned.TimeIndex.Path);
            LogFiles.Rename(swap, cleaned.LogPath);
            var updated = new LogSegment[segments.Length - replaced.Count + 1];
            segments.AsSpan(0, start).CopyTo(updated);
            updated[start] = cleaned;
            segments.AsSpan(start + replaced.Count).CopyTo(updated.AsSpan(start + 1));
            Volatile.Write(ref _segments, updated);
            return true;
        }
    }
}
