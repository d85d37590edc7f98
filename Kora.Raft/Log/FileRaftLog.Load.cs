using System.Buffers.Binary;
using System.Globalization;
using Kora.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Kora.Raft.Log;

public sealed partial class FileRaftLog
{
    private void Load()
    {
        var files = _fs.ListFiles(_directory);
        foreach (var temp in files.Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            _fs.Delete(Path.Combine(_directory, temp));
        }
        LoadSnapshots(files);
        LoadSegments(files);
        ReconcileWithSnapshot();
        // A restarted process may find data still only in the page cache: make it durable before counting it.
        foreach (var segment in _segments.Keys)
        {
            _fs.Flush(SegmentPath(segment));
        }
        _flushedOffset = _endOffset;
        Log.Opened(_logger, _directory, _startOffset, _endOffset, LastFetchedEpoch, _snapshot?.ToString() ?? "none");
    }

    private void LoadSnapshots(IReadOnlyList<string> files)
    {
        var snapshots = files
            .Where(f => f.EndsWith(SnapshotSuffix, StringComparison.Ordinal))
            .Select(f => (Name: f, Id: ParseSnapshotName(f)))
            .Where(s => s.Id is not null)
            .OrderBy(s => s.Id!.Value.Offset)
            .ToList();
        if (snapshots.Count == 0)
        {
            return;
        }
        var latest = snapshots[^1];
        _snapshot = latest.Id;
        _snapshotSize = _fs.Length(Path.Combine(_directory, latest.Name));
        foreach (var older in snapshots.Take(snapshots.Count - 1))
        {
            _fs.Delete(Path.Combine(_directory, older.Name));
        }
    }

    private static OffsetAndEpoch? ParseSnapshotName(string name)
    {
        var stem = name[..^SnapshotSuffix.Length];
        var dash = stem.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && long.TryParse(stem.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            && int.TryParse(stem.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? new OffsetAndEpoch(offset, epoch)
            : null;
    }

    private void LoadSegments(IReadOnlyList<string> files)
    {
        var bases = files
            .Where(f => f.EndsWith(SegmentSuffix, StringComparison.Ordinal))
            .Select(f => long.TryParse(f.AsSpan(0, f.Length - SegmentSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : -1)
            .Where(b => b >= 0)
            .Order()
            .ToList();
        // Without a snapshot the log starts at 0; with one, at or below the snapshot. Anything that
        // starts later lost its beginning (unflushed data of a crash) and cannot be trusted.
        var expectedStart = _snapshot?.Offset ?? 0;
        _startOffset = _endOffset = bases.Count > 0 && bases[0] <= expectedStart ? bases[0] : expectedStart;
        for (var i = 0; i < bases.Count; i++)
        {
            var segment = bases[i];
            if (segment != _endOffset)
            {
                DiscardFrom(bases, i, 0, $"segment {segment} does not continue the log at offset {_endOffset}");
                return;
            }
            var path = SegmentPath(segment);
            var bytes = new byte[_fs.Length(path)];
            var read = _fs.Read(path, 0, bytes);
            var valid = ScanSegment(segment, bytes.AsSpan(0, read));
            _segments[segment] = valid;
            if (valid != bytes.Length)
            {
                DiscardFrom(bases, i, valid, $"segment {segment} is invalid after byte {valid} of {bytes.Length} (torn or corrupt tail)");
                return;
            }
        }
    }

    /// <summary>Indexes the valid batches of a segment; returns the length of its valid prefix.</summary>
    private long ScanSegment(long segment, ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        while (position < bytes.Length)
        {
            var lastEpoch = _batches.Count > 0 ? _batches[^1].Epoch : 0;
            if (bytes.Length - position < FrameOverhead)
            {
                break;
            }
            var frameCrc = BinaryPrimitives.ReadUInt32BigEndian(bytes[position..]);
            var batch = bytes[(position + FrameOverhead)..];
            if (!RaftBatches.TryReadValid(batch, out var baseOffset, out var lastOffset, out var epoch, out var isControl, out var size)
                || Crc32C.Compute(batch[..size]) != frameCrc || baseOffset != _endOffset || epoch < lastEpoch)
            {
                break;
            }
            _batches.Add(new BatchInfo(baseOffset, lastOffset, epoch, isControl, segment, position + FrameOverhead, size));
            _epochs.Assign(epoch, baseOffset);
            _endOffset = lastOffset + 1;
            position += FrameOverhead + size;
        }
        return position;
    }

    private void DiscardFrom(List<long> bases, int index, long validBytes, string reason)
    {
        var segment = bases[index];
        var path = SegmentPath(segment);
        var length = _fs.Length(path);
        if (validBytes == 0)
        {
            _fs.Delete(path);
            _segments.Remove(segment);
        }
        else
        {
            _fs.Truncate(path, validBytes);
            _segments[segment] = validBytes;
        }
        var discarded = length - validBytes;
        for (var j = index + 1; j < bases.Count; j++)
        {
            discarded += _fs.Length(SegmentPath(bases[j]));
            _fs.Delete(SegmentPath(bases[j]));
        }
        RecoveryReport = $"Truncated the log at offset {_endOffset}: {reason}; {discarded} bytes discarded.";
        Log.Recovered(_logger, _directory, RecoveryReport);
    }

    /// <summary>
    /// A snapshot beyond the log, or one the log disagrees with (a crash while installing it), wins:
    /// the log is emptied to start at the snapshot. Otherwise the log starts at the snapshot.
    /// </summary>
    private void ReconcileWithSnapshot()
    {
        if (_snapshot is not { } snapshot)
        {
            return;
        }
        var consistent = snapshot.Offset >= _startOffset && snapshot.Offset <= _endOffset
            && (snapshot.Offset == _startOffset || BatchEpochEndingAt(snapshot.Offset) == snapshot.Epoch);
        if (!consistent)
        {
            DeleteAllSegments();
            _startOffset = _endOffset = snapshot.Offset;
            return;
        }
        _startOffset = snapshot.Offset;
        var firstKept = _batches.FindIndex(b => b.BaseOffset >= _startOffset);
        _batches.RemoveRange(0, firstKept < 0 ? _batches.Count : firstKept);
        _epochs.TruncateFromStart(_startOffset);
        if (_batches.Count == 0)
        {
            _epochs.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Opened the Raft log in {Directory}: offsets {StartOffset} to {EndOffset}, last epoch {Epoch}, snapshot {Snapshot}")]
        public static partial void Opened(ILogger logger, string directory, long startOffset, long endOffset, int epoch, string snapshot);

        [LoggerMessage(2, LogLevel.Warning, "Recovered the Raft log in {Directory}: {Report}")]
        public static partial void Recovered(ILogger logger, string directory, string report);
    }
}
