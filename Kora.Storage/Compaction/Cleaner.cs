using System.Buffers;
using System.Diagnostics;
using Kora.Protocol.Compression;
using Kora.Protocol.Records;
using Kora.Storage.Log;
using Microsoft.Extensions.Logging;

namespace Kora.Storage.Compaction;

/// <summary>
/// Cleans one log at a time, Kafka's Cleaner: maps each key of the dirty section to its last offset, then rewrites
/// the closed segments from the start of the log up to the end of that map, in groups of up to segment.bytes, keeping
/// only what compaction must keep. One instance per cleaner thread; its buffers are reused from log to log.
/// </summary>
internal sealed partial class Cleaner : IDisposable
{
    private readonly LogCleanerOptions _options;
    private readonly long _mapMemory;
    private readonly Throttler _throttler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SegmentBatchReader _reader;
    private readonly ArrayBufferWriter<byte> _decompressed = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private readonly RetainedBatchWriter _writer = new();
    private readonly List<Range> _retained = [];
    private OffsetMap? _map;

    public Cleaner(LogCleanerOptions options, long mapMemory, Throttler throttler, TimeProvider time, ILogger logger)
    {
        _options = options;
        _mapMemory = mapMemory;
        _throttler = throttler;
        _time = time;
        _logger = logger;
        _reader = new SegmentBatchReader(options.IoBufferSize);
    }

    /// <summary>The map is allocated on first use: a broker with no compacted data never pays for it.</summary>
    internal OffsetMap Map => _map ??= new OffsetMap(_mapMemory);

    /// <summary>
    /// Cleans <paramref name="target"/>. Returns the statistics, with <see cref="CleanerStats.EndOffset"/> the new clean
    /// boundary, or null when the log changed under the cleaner (retention, truncation, deletion) and the pass was dropped.
    /// </summary>
    public CleanerStats? Clean(LogToClean target, CancellationToken cancellation)
    {
        var log = target.Target.Log;
        var truncations = log.TruncationCount;
        var segments = log.SegmentSnapshot;
        try
        {
            return Clean(target, segments, truncations, cancellation);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException && Changed(log, segments, truncations))
        {
            // Retention or truncation removed a segment the pass was reading: drop it, the next pass starts over.
            Log.Dropped(_logger, log.Directory);
            return null;
        }
    }

    private static bool Changed(PartitionLog log, LogSegment[] snapshot, long truncations)
    {
        if (log.IsClosed || log.TruncationCount != truncations)
        {
            return true;
        }
        var current = log.SegmentSnapshot;
        for (var i = 0; i < snapshot.Length - 1; i++)
        {
            if (Array.IndexOf(current, snapshot[i]) < 0)
            {
                return true;
            }
        }
        return false;
    }

    private CleanerStats? Clean(LogToClean target, LogSegment[] segments, long truncations, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var log = target.Target.Log;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var stats = new CleanerStats { Topic = target.Target.Topic, Partition = target.Target.Partition };
        var scan = TransactionScan.Run(segments, cancellation);
        var upperBound = Math.Max(target.FirstDirtyOffset, Math.Min(target.FirstUncleanableOffset, SegmentBaseFloor(segments, scan.FirstUnstableOffset)));
        var map = Map;
        BuildOffsetMap(segments, target.FirstDirtyOffset, upperBound, scan, stats, cancellation);
        // With nothing dirty the pass still rewrites the clean section: tombstones and markers past their delete horizon go.
        var endOffset = Math.Max(map.LatestOffset + 1, target.FirstDirtyOffset);
        map.UpdateLatestOffset(endOffset - 1);
        stats.EndOffset = endOffset;
        stats.BufferUtilization = map.Utilization;
        Log.Cleaning(_logger, log.Directory, target.FirstDirtyOffset, endOffset, map.Size);

        var config = log.Config;
        var transactions = new CleanedTransactionState();
        transactions.AddAborted(scan.Aborted);
        var pass = new Pass(map, scan, transactions, config.DeleteRetentionMs, upperBound, now, stats);
        foreach (var group in GroupSegments(segments, endOffset, config))
        {
            if (!CleanGroup(log, segments, group, truncations, pass, cancellation))
            {
                Log.Dropped(_logger, log.Directory);
                return null;
            }
        }
        stats.Elapsed = Stopwatch.GetElapsedTime(started);
        return stats;
    }

    private static long SegmentBaseFloor(LogSegment[] segments, long offset)
    {
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            if (segments[i].BaseOffset <= offset)
            {
                return segments[i].BaseOffset;
            }
        }
        return segments[0].BaseOffset;
    }

    /// <summary>
    /// Maps the keys of records in [<paramref name="start"/>, <paramref name="end"/>) to their last offsets, skipping
    /// aborted transactions. Stops early when the map reaches its load factor; the map's latest offset tells how far it got.
    /// </summary>
    private void BuildOffsetMap(LogSegment[] segments, long start, long end, TransactionScan scan, CleanerStats stats, CancellationToken cancellation)
    {
        var map = Map;
        map.Clear();
        if (start >= end)
        {
            return;
        }
        var transactions = new CleanedTransactionState();
        transactions.AddAborted(scan.Aborted);
        var maxEntries = Math.Max(1, (int)(map.Slots * _options.DedupeBufferLoadFactor));
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i];
            var next = segments[i + 1].BaseOffset;
            if (next <= start)
            {
                continue;
            }
            if (segment.BaseOffset >= end)
            {
                break;
            }
            if (MapSegment(segment, start, transactions, maxEntries, stats, cancellation))
            {
                return;
            }
            // Offsets may have gaps (an earlier cleaning): the map covers the segment up to the next one.
            map.UpdateLatestOffset(Math.Min(next, end) - 1);
        }
    }

    private bool MapSegment(LogSegment segment, long start, CleanedTransactionState transactions, int maxEntries, CleanerStats stats, CancellationToken cancellation)
    {
        var map = Map;
        var handle = segment.Handle;
        var size = segment.Size;
        long position;
        var headers = new BatchHeaderReader();
        try
        {
            position = segment.FindPosition(start, size, handle, ref headers);
        }
        finally
        {
            headers.Dispose();
        }
        while (position < size)
        {
            cancellation.ThrowIfCancellationRequested();
            var chunk = _reader.Read(handle, position, size);
            _throttler.MaybeThrottle(chunk.Length, cancellation);
            var rest = chunk;
            while (!rest.IsEmpty)
            {
                var batch = new RecordBatch(rest);
                var batchSize = batch.SizeInBytes;
                if (batch.IsControl)
                {
                    transactions.OnControlBatch(batch.ProducerId, batch.LastOffset, ControlRecords.TypeOf(rest[..batchSize]));
                    stats.MapRecordsRead++;
                }
                else if (transactions.OnDataBatch(batch.ProducerId, batch.LastOffset, batch.IsTransactional))
                {
                    stats.MapRecordsRead += batch.RecordsCount;
                }
                else
                {
                    var records = BatchRecords.Uncompressed(batch, _decompressed);
                    while (!records.IsEmpty)
                    {
                        var record = new RecordReader(records);
                        var offset = batch.BaseOffset + record.OffsetDelta;
                        if (!record.KeyIsNull && offset >= start)
                        {
                            if (map.Size >= maxEntries)
                            {
                                return true;
                            }
                            map.Put(record.Key, offset);
                        }
                        stats.MapRecordsRead++;
                        records = records[record.TotalSize..];
                    }
                }
                if (batch.LastOffset >= start)
                {
                    map.UpdateLatestOffset(batch.LastOffset);
                }
                rest = rest[batchSize..];
            }
            position += chunk.Length;
            stats.MapBytesRead += chunk.Length;
        }
        return false;
    }

    /// <summary>
    /// Kafka's groupSegmentsBySize: consecutive segments below <paramref name="endOffset"/> merged while their data
    /// fits segment.bytes, their indexes segment.index.bytes, and their offsets a 32-bit delta from the group's base.
    /// </summary>
    internal static List<LogSegment[]> GroupSegments(LogSegment[] segments, long endOffset, LogConfig config)
    {
        var groups = new List<LogSegment[]>();
        var count = 0;
        while (count < segments.Length - 1 && segments[count].BaseOffset < endOffset)
        {
            count++;
        }
        var i = 0;
        while (i < count)
        {
            var first = i;
            long logSize = segments[i].Size;
            long indexSize = (long)segments[i].OffsetIndex.Count * 8;
            long timeIndexSize = (long)segments[i].TimeIndex.Count * 12;
            i++;
            while (i < count)
            {
                var candidate = segments[i];
                var lastOffset = segments[i + 1].BaseOffset - 1;
                if (logSize + candidate.Size > config.EffectiveSegmentBytes
                    || indexSize + ((long)candidate.OffsetIndex.Count * 8) > config.SegmentIndexBytes
                    || timeIndexSize + ((long)candidate.TimeIndex.Count * 12) > config.SegmentIndexBytes
                    || (candidate.Size > 0 && lastOffset - segments[first].BaseOffset > int.MaxValue))
                {
                    break;
                }
                logSize += candidate.Size;
                indexSize += (long)candidate.OffsetIndex.Count * 8;
                timeIndexSize += (long)candidate.TimeIndex.Count * 12;
                i++;
            }
            groups.Add(segments[first..i]);
        }
        return groups;
    }

    private bool CleanGroup(PartitionLog log, LogSegment[] segments, LogSegment[] group, long truncations, Pass pass, CancellationToken cancellation)
    {
        var cleaned = LogSegment.CreateCleaned(log.Directory, group[0].BaseOffset);
        var swapped = false;
        try
        {
            foreach (var segment in group)
            {
                CleanInto(segment, cleaned, log.Config.IndexIntervalBytes, pass, cancellation);
            }
            cleaned.Seal();
            cleaned.Flush();
            // Retention by time falls back to the file's age when no batch has a timestamp: keep the newest source's.
            File.SetLastWriteTimeUtc(cleaned.LogPath + LogFiles.CleanedSuffix, File.GetLastWriteTimeUtc(group[^1].LogPath));
            swapped = log.ReplaceSegments(cleaned, group, truncations);
            if (swapped)
            {
                pass.Stats.SegmentsCleaned += group.Length;
                Log.Swapped(_logger, log.Directory, group.Length, group[0].BaseOffset, cleaned.Size);
            }
            return swapped;
        }
        finally
        {
            if (!swapped)
            {
                cleaned.CloseHandles();
                DeleteCleanedFiles(cleaned);
            }
        }
    }

    private static void DeleteCleanedFiles(LogSegment cleaned)
    {
        LogFiles.TryDelete(cleaned.LogPath + LogFiles.CleanedSuffix);
        LogFiles.TryDelete(cleaned.OffsetIndex.Path + LogFiles.CleanedSuffix);
        LogFiles.TryDelete(cleaned.TimeIndex.Path + LogFiles.CleanedSuffix);
    }

    private void CleanInto(LogSegment source, LogSegment destination, int indexIntervalBytes, Pass pass, CancellationToken cancellation)
    {
        var handle = source.Handle;
        var size = source.Size;
        long position = 0;
        while (position < size)
        {
            cancellation.ThrowIfCancellationRequested();
            var chunk = _reader.Read(handle, position, size);
            _throttler.MaybeThrottle(chunk.Length, cancellation);
            _output.Clear();
            var rest = chunk;
            while (!rest.IsEmpty)
            {
                var batch = new RecordBatch(rest);
                FilterBatch(batch, pass);
                rest = rest[batch.SizeInBytes..];
            }
            position += chunk.Length;
            pass.Stats.BytesRead += chunk.Length;
            if (_output.WrittenCount > 0)
            {
                destination.Append(_output.WrittenSpan, indexIntervalBytes, pass.Now);
                pass.Stats.BytesWritten += _output.WrittenCount;
                _throttler.MaybeThrottle(_output.WrittenCount, cancellation);
            }
        }
    }

    /// <summary>Kafka's log cleaner record filter over one batch, writing what it keeps to the output buffer.</summary>
    private void FilterBatch(RecordBatch batch, Pass pass)
    {
        var control = batch.IsControl;
        var producerId = batch.ProducerId;
        var canDiscard = control
            ? pass.Transactions.OnControlBatch(producerId, batch.LastOffset, ControlRecords.TypeOf(batch.Bytes[..batch.SizeInBytes]))
            : pass.Transactions.OnDataBatch(producerId, batch.LastOffset, batch.IsTransactional);
        // A marker outlives its transaction's data by delete.retention.ms, like a tombstone.
        var discardRecords = control
            ? canDiscard && batch.HasDeleteHorizon && batch.DeleteHorizonMs <= pass.Now
            : canDiscard;
        var keepHeader = (producerId >= 0 && IsLastBatchOfProducer(batch, pass.Scan))
            // The last batch of the pass keeps the log's last cleaned offset.
            || batch.LastOffset + 1 == pass.UpperBound;
        var markerOfEmptyTransaction = canDiscard && control;
        if (discardRecords && !keepHeader)
        {
            pass.Stats.RecordsRead += batch.RecordsCount;
            return;
        }

        ReadOnlySpan<byte> records = control ? batch.RecordsBytes : BatchRecords.Uncompressed(batch, _decompressed);
        _retained.Clear();
        var all = true;
        var tombstones = false;
        var position = 0;
        while (position < records.Length)
        {
            var record = new RecordReader(records[position..]);
            pass.Stats.RecordsRead++;
            var keep = !discardRecords && (control || ShouldRetainRecord(record, batch, pass));
            if (keep)
            {
                _retained.Add(new Range(position, position + record.TotalSize));
                tombstones |= record.ValueIsNull;
            }
            else
            {
                all = false;
            }
            position += record.TotalSize;
        }
        if (_retained.Count > 0)
        {
            pass.Stats.RecordsRetained += _retained.Count;
            var needsHorizon = (tombstones || markerOfEmptyTransaction) && !batch.HasDeleteHorizon;
            var horizon = needsHorizon ? pass.Now + pass.DeleteRetentionMs : batch.DeleteHorizonMs;
            if (tombstones || control)
            {
                pass.Stats.KeepHorizon(horizon);
            }
            if (all && !needsHorizon)
            {
                _output.Write(batch.Bytes[..batch.SizeInBytes]);
            }
            else
            {
                _writer.WriteRetained(batch, records, _retained, horizon, _output);
            }
        }
        else if (keepHeader)
        {
            RetainedBatchWriter.WriteEmpty(batch, _output);
        }
    }

    /// <summary>
    /// The batch holding a producer's last sequence (or, with no data left, its last marker's epoch) stays, perhaps
    /// emptied, so an idempotent or transactional producer is not told its sequence or epoch is unknown.
    /// </summary>
    private static bool IsLastBatchOfProducer(RecordBatch batch, TransactionScan scan) =>
        scan.Producers.TryGetValue(batch.ProducerId, out var last)
        && (last.LastDataOffset >= 0
            ? batch.LastOffset == last.LastDataOffset
            : batch.IsControl && batch.ProducerEpoch == last.Epoch);

    private static bool ShouldRetainRecord(RecordReader record, RecordBatch batch, Pass pass)
    {
        var offset = batch.BaseOffset + record.OffsetDelta;
        if (offset > pass.Map.LatestOffset)
        {
            return true;
        }
        if (record.KeyIsNull)
        {
            pass.Stats.InvalidRecords++;
            return false;
        }
        var latest = offset >= pass.Map.Get(record.Key);
        var retainDeletes = !batch.HasDeleteHorizon || pass.Now < batch.DeleteHorizonMs;
        return latest && (!record.ValueIsNull || retainDeletes);
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>The state of one cleaning pass over a log, shared by its segment groups.</summary>
    private sealed record Pass(OffsetMap Map, TransactionScan Scan, CleanedTransactionState Transactions, long DeleteRetentionMs, long UpperBound, long Now, CleanerStats Stats);

    private static partial class Log
    {
        [LoggerMessage(50, LogLevel.Information, "Cleaning log {Directory}: dirty from offset {FirstDirtyOffset}, clean up to {EndOffset} after this pass; {Keys} keys mapped")]
        public static partial void Cleaning(ILogger logger, string directory, long firstDirtyOffset, long endOffset, int keys);

        [LoggerMessage(51, LogLevel.Debug, "Swapped {Count} segments of {Directory} from offset {BaseOffset} for one cleaned segment of {Size} bytes")]
        public static partial void Swapped(ILogger logger, string directory, int count, long baseOffset, long size);

        [LoggerMessage(52, LogLevel.Information, "Dropped the cleaning of {Directory}: the log changed while it was cleaned")]
        public static partial void Dropped(ILogger logger, string directory);
    }
}
