using Microsoft.Extensions.Logging;

namespace Kora.Storage.Log;

/// <summary>Finds a partition directory's segments and recovers them after an unclean shutdown.</summary>
internal static partial class LogLoader
{
    public static List<LogSegment> Load(string directory, LogConfig config, CleanShutdownMarker? marker, ILogger logger)
    {
        var bases = new List<long>();
        var indexes = new List<(string Path, long BaseOffset)>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (LogFiles.TryParseBaseOffset(name, LogFiles.LogSuffix, out var baseOffset))
            {
                bases.Add(baseOffset);
            }
            else if (LogFiles.TryParseBaseOffset(name, LogFiles.OffsetIndexSuffix, out baseOffset)
                || LogFiles.TryParseBaseOffset(name, LogFiles.TimeIndexSuffix, out baseOffset)
                || LogFiles.TryParseBaseOffset(name, LogFiles.TxnIndexSuffix, out baseOffset))
            {
                indexes.Add((path, baseOffset));
            }
        }
        bases.Sort();
        foreach (var (path, baseOffset) in indexes)
        {
            if (bases.BinarySearch(baseOffset) < 0)
            {
                LogFiles.TryDelete(path);
            }
        }
        var segments = bases.ConvertAll(b => LogSegment.Load(directory, b));
        var clean = marker is not null && segments.Count > 0 && marker.Matches(segments[^1]);
        var recovered = new List<LogSegment>();
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var isLast = i == segments.Count - 1;
            var nextBase = isLast ? long.MaxValue : segments[i + 1].BaseOffset;
            // After a crash the last segment may hold a torn write the indexes know nothing of: always rescan it.
            if ((clean || !isLast) && SegmentLoader.TryLoadTail(segment, nextBase))
            {
                continue;
            }
            var truncated = SegmentLoader.Rebuild(segment, config.IndexIntervalBytes);
            recovered.Add(segment);
            Log.Recovered(logger, segment.LogPath, truncated, segment.NextOffset);
            if (truncated > 0 && !isLast)
            {
                // Later segments were written after data that is now gone; like Kafka, drop them rather than leave a hole.
                foreach (var later in segments.GetRange(i + 1, segments.Count - i - 1))
                {
                    later.DeleteFiles();
                }
                Log.DroppedAfterCorruption(logger, directory, segments.Count - i - 1, segment.NextOffset);
                segments.RemoveRange(i + 1, segments.Count - i - 1);
                break;
            }
        }
        foreach (var segment in recovered)
        {
            // What recovery kept and rebuilt becomes the durable state before anything new is appended.
            RandomAccess.FlushToDisk(segment.Handle);
            segment.FlushIndexes();
        }
        for (var i = 0; i < segments.Count - 1; i++)
        {
            // Closed segments: record a max timestamp the time index may have missed.
            segments[i].Seal();
        }
        foreach (var segment in segments)
        {
            // Everything here is durable now, the active segment included: a broker with many partitions must
            // not hold descriptors for those nobody writes or reads. They reopen on first use.
            segment.ReleaseHandles();
        }
        return segments;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Recovered log segment {Path}: cut {Bytes} bytes of torn or corrupt data; it now ends at offset {NextOffset}")]
        public static partial void Recovered(ILogger logger, string path, long bytes, long nextOffset);

        [LoggerMessage(2, LogLevel.Warning, "Deleted {Count} segments of {Directory} that followed corrupt data; the log now ends at offset {NextOffset}")]
        public static partial void DroppedAfterCorruption(ILogger logger, string directory, int count, long nextOffset);
    }
}
