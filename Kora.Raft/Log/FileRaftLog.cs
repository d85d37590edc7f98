using System.Buffers.Binary;
using System.Globalization;
using Kora.Protocol.Records;
using Kora.Raft.Storage;
using Microsoft.Extensions.Logging;

namespace Kora.Raft.Log;

/// <summary>
/// The metadata log on disk, in a <c>__cluster_metadata-0</c> directory: segment files of Kafka v2
/// record batches named by base offset (<c>00000000000000000000.log</c>) and snapshot files named by end offset and epoch (<c>...-0000000003.checkpoint</c>).
/// Each batch is preceded by a CRC-32C of all its bytes: the batch's own CRC leaves the base offset
/// and leader epoch out (brokers assign them), and a torn write there must not pass as a new epoch.
/// Loading walks every batch and stops at the first one that is cut short, fails its CRC, breaks the
/// offset sequence or goes back in epoch: that tail and every later segment are deleted, because data
/// that cannot be validated was never acknowledged by this replica.
/// </summary>
public sealed partial class FileRaftLog : IRaftLog
{
    private const string SegmentSuffix = ".log";
    private const string SnapshotSuffix = ".checkpoint";
    private const int FrameOverhead = 4;

    private readonly IRaftFileSystem _fs;
    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly ILogger _logger;
    private readonly List<BatchInfo> _batches = [];
    private readonly SortedDictionary<long, long> _segments = [];
    private readonly LeaderEpochCache _epochs = new();
    private readonly HashSet<long> _dirtySegments = [];
    private long _startOffset;
    private long _endOffset;
    private long _flushedOffset;
    private OffsetAndEpoch? _snapshot;
    private long _snapshotSize;
    private RaftLogFlush? _pendingFlush;

    private FileRaftLog(IRaftFileSystem fs, string directory, long segmentBytes, ILogger logger)
    {
        _fs = fs;
        _directory = directory;
        _segmentBytes = segmentBytes;
        _logger = logger;
    }

    public long StartOffset => _startOffset;
    public long EndOffset => _endOffset;
    public long FlushedOffset => _flushedOffset;
    public int LastFetchedEpoch => _batches.Count > 0 ? _batches[^1].Epoch : _snapshot?.Epoch ?? 0;
    public OffsetAndEpoch? LatestSnapshotId => _snapshot;
    public long LatestSnapshotSize => _snapshotSize;
    public string? RecoveryReport { get; private set; }

    public static FileRaftLog Open(IRaftFileSystem fs, string directory, ILogger logger, long segmentBytes = 64 * 1024 * 1024)
    {
        fs.CreateDirectory(directory);
        var log = new FileRaftLog(fs, directory, segmentBytes, logger);
        log.Load();
        return log;
    }

    private string SegmentPath(long baseOffset) => Path.Combine(_directory, baseOffset.ToString("D20", CultureInfo.InvariantCulture) + SegmentSuffix);

    private string SnapshotPath(OffsetAndEpoch id) =>
        Path.Combine(_directory, id.Offset.ToString("D20", CultureInfo.InvariantCulture) + "-" + id.Epoch.ToString("D10", CultureInfo.InvariantCulture) + SnapshotSuffix);

    public OffsetAndEpoch EndOffsetForEpoch(int epoch)
    {
        var found = _epochs.EndOffsetFor(epoch, _endOffset);
        if (found is null)
        {
            return new OffsetAndEpoch(_endOffset, LastFetchedEpoch);
        }
        // An epoch older than the log ends where the log starts: answer with the snapshot there, as Kafka does.
        if (_snapshot is { } snapshot && found.Value.Offset == snapshot.Offset && found.Value.Epoch == epoch && _startOffset == snapshot.Offset)
        {
            return snapshot;
        }
        return found.Value;
    }

    public int? EpochOfBatchEndingAt(long endOffset)
    {
        if (_snapshot is { } snapshot && snapshot.Offset == endOffset)
        {
            return snapshot.Epoch;
        }
        return BatchEpochEndingAt(endOffset);
    }

    private int? BatchEpochEndingAt(long endOffset)
    {
        var index = IndexOfBatchContaining(endOffset - 1);
        return index >= 0 && _batches[index].EndOffset == endOffset ? _batches[index].Epoch : null;
    }

    public void Append(ReadOnlySpan<byte> batches)
    {
        var position = 0;
        Span<byte> crc = stackalloc byte[FrameOverhead];
        while (position < batches.Length)
        {
            if (!RaftBatches.TryReadValid(batches[position..], out var baseOffset, out var lastOffset, out var epoch, out var isControl, out var size))
            {
                throw new ArgumentException("Appended bytes are not whole valid record batches.", nameof(batches));
            }
            if (baseOffset != _endOffset || epoch < LastFetchedEpoch)
            {
                throw new ArgumentException($"Batch at {baseOffset} epoch {epoch} does not continue the log at {_endOffset} epoch {LastFetchedEpoch}.", nameof(batches));
            }
            var segment = ActiveSegmentFor(baseOffset);
            var path = SegmentPath(segment);
            var segmentPosition = _segments[segment];
            var batch = batches.Slice(position, size);
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32C.Compute(batch));
            _fs.Append(path, crc);
            _fs.Append(path, batch);
            _segments[segment] = segmentPosition + FrameOverhead + size;
            _dirtySegments.Add(segment);
            _batches.Add(new BatchInfo(baseOffset, lastOffset, epoch, isControl, segment, segmentPosition + FrameOverhead, size));
            _epochs.Assign(epoch, baseOffset);
            _endOffset = lastOffset + 1;
            position += size;
        }
    }

    private long ActiveSegmentFor(long baseOffset)
    {
        if (_segments.Count > 0)
        {
            var last = _segments.Keys.Last();
            if (_segments[last] < _segmentBytes)
            {
                return last;
            }
        }
        _segments[baseOffset] = 0;
        return baseOffset;
    }

    public void Flush()
    {
        foreach (var segment in _dirtySegments)
        {
            _fs.Flush(SegmentPath(segment));
        }
        _dirtySegments.Clear();
        _flushedOffset = _endOffset;
    }

    public RaftLogFlush PrepareFlush()
    {
        var fsyncs = _dirtySegments.Select(segment => _fs.PrepareFlush(SegmentPath(segment))).ToArray();
        _dirtySegments.Clear();
        _pendingFlush = new RaftLogFlush(_endOffset, fsyncs);
        return _pendingFlush;
    }

    public void CompleteFlush(RaftLogFlush flush)
    {
        if (ReferenceEquals(flush, _pendingFlush))
        {
            _pendingFlush = null;
        }
        _flushedOffset = Math.Max(_flushedOffset, Math.Min(flush.EndOffset, _endOffset));
    }

    public void TruncateTo(long offset)
    {
        if (offset >= _endOffset)
        {
            return;
        }
        if (offset < _startOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Cannot truncate below the log start offset {_startOffset}.");
        }
        var index = IndexOfBatchContaining(offset);
        if (index < 0)
        {
            index = _batches.FindIndex(b => b.BaseOffset >= offset);
        }
        var first = _batches[index];
        _fs.Truncate(SegmentPath(first.SegmentBaseOffset), first.Position - FrameOverhead);
        _segments[first.SegmentBaseOffset] = first.Position - FrameOverhead;
        foreach (var later in _segments.Keys.Where(k => k > first.SegmentBaseOffset).ToList())
        {
            _fs.Delete(SegmentPath(later));
            _segments.Remove(later);
            _dirtySegments.Remove(later);
        }
        _batches.RemoveRange(index, _batches.Count - index);
        _endOffset = _batches.Count > 0 ? _batches[^1].EndOffset : _startOffset;
        _epochs.TruncateFromEnd(_endOffset);
        _flushedOffset = Math.Min(_flushedOffset, _endOffset);
        _pendingFlush?.LimitTo(_endOffset);
    }

    public ReadOnlyMemory<byte> Read(long offset, int maxBytes)
    {
        var index = IndexOfBatchContaining(offset);
        if (index < 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        var total = 0;
        var end = index;
        while (end < _batches.Count && (end == index || total + _batches[end].Size <= maxBytes))
        {
            total += _batches[end].Size;
            end++;
        }
        var bytes = new byte[total];
        var position = 0;
        for (var i = index; i < end; i++)
        {
            var batch = _batches[i];
            var read = _fs.Read(SegmentPath(batch.SegmentBaseOffset), batch.Position, bytes.AsSpan(position, batch.Size));
            if (read != batch.Size)
            {
                throw new IOException($"Segment {batch.SegmentBaseOffset} lost bytes under batch {batch.BaseOffset}.");
            }
            position += batch.Size;
        }
        return bytes;
    }

    private int IndexOfBatchContaining(long offset)
    {
        int lo = 0, hi = _batches.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var batch = _batches[mid];
            if (offset < batch.BaseOffset)
            {
                hi = mid - 1;
            }
            else if (offset > batch.LastOffset)
            {
                lo = mid + 1;
            }
            else
            {
                return mid;
            }
        }
        return -1;
    }

    public void CreateSnapshot(OffsetAndEpoch id, ReadOnlySpan<byte> content)
    {
        if (_snapshot is { } current && id.Offset <= current.Offset)
        {
            throw new ArgumentException($"Snapshot {id} is not newer than {current}.", nameof(id));
        }
        if (id.Offset > _endOffset || BatchEpochEndingAt(id.Offset) != id.Epoch)
        {
            throw new ArgumentException($"Snapshot {id} does not end at a batch of the log.", nameof(id));
        }
        _fs.WriteAtomically(SnapshotPath(id), content);
        ReplaceSnapshot(id, content.Length);
        _startOffset = id.Offset;
        var firstKept = _batches.FindIndex(b => b.BaseOffset >= _startOffset);
        _batches.RemoveRange(0, firstKept < 0 ? _batches.Count : firstKept);
        _epochs.TruncateFromStart(_startOffset);
        if (_batches.Count == 0)
        {
            _epochs.Clear();
        }
        // Segments wholly below the snapshot go; the first kept one may still hold older batches, which are ignored.
        var keys = _segments.Keys.ToList();
        for (var i = 0; i < keys.Count - 1 && keys[i + 1] <= _startOffset; i++)
        {
            _fs.Delete(SegmentPath(keys[i]));
            _segments.Remove(keys[i]);
            _dirtySegments.Remove(keys[i]);
        }
    }

    public void InstallSnapshot(OffsetAndEpoch id, ReadOnlySpan<byte> content)
    {
        _fs.WriteAtomically(SnapshotPath(id), content);
        ReplaceSnapshot(id, content.Length);
        DeleteAllSegments();
        _startOffset = _endOffset = _flushedOffset = id.Offset;
        _pendingFlush?.LimitTo(id.Offset);
    }

    private void ReplaceSnapshot(OffsetAndEpoch id, long size)
    {
        var previous = _snapshot;
        _snapshot = id;
        _snapshotSize = size;
        if (previous is { } old && old != id)
        {
            _fs.Delete(SnapshotPath(old));
        }
    }

    private void DeleteAllSegments()
    {
        foreach (var segment in _segments.Keys)
        {
            _fs.Delete(SegmentPath(segment));
        }
        _segments.Clear();
        _dirtySegments.Clear();
        _batches.Clear();
        _epochs.Clear();
    }

    public ReadOnlyMemory<byte> ReadSnapshot(OffsetAndEpoch id, long position, int maxBytes)
    {
        if (_snapshot != id || position < 0 || position >= _snapshotSize)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        var bytes = new byte[(int)Math.Min(maxBytes, _snapshotSize - position)];
        var read = _fs.Read(SnapshotPath(id), position, bytes);
        return bytes.AsMemory(0, read);
    }
}
