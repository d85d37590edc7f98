using Kora.Storage.Log;
using Microsoft.Extensions.Logging;

namespace Kora.Storage.Compaction;

/// <summary>
/// Finishes a cleaner swap that a crash interrupted. A <c>.log.swap</c> file is a complete, fsynced cleaned segment
/// whose swap had begun: the live segments it replaces (those whose base offset falls within its offset range,
/// including the one of the same name) are deleted and it takes its final name; its indexes are rebuilt on load.
/// Half-written <c>.cleaned</c> files are left for the temporary-file sweep that follows.
/// </summary>
internal static partial class SwapRecovery
{
    public static void Complete(string directory, ILogger logger)
    {
        var swaps = Directory.EnumerateFiles(directory, "*" + LogFiles.LogSuffix + LogFiles.SwapSuffix).Order(StringComparer.Ordinal).ToList();
        foreach (var swap in swaps)
        {
            var name = Path.GetFileName(swap);
            if (!LogFiles.TryParseBaseOffset(name[..^LogFiles.SwapSuffix.Length], LogFiles.LogSuffix, out var baseOffset))
            {
                continue;
            }
            var next = NextOffset(swap, baseOffset);
            var end = Math.Max(next, baseOffset + 1);
            var replaced = 0;
            foreach (var path in Directory.EnumerateFiles(directory, "*" + LogFiles.LogSuffix))
            {
                if (LogFiles.TryParseBaseOffset(Path.GetFileName(path), LogFiles.LogSuffix, out var live) && live >= baseOffset && live < end)
                {
                    var stem = path[..^LogFiles.LogSuffix.Length];
                    LogFiles.TryDelete(path);
                    LogFiles.TryDelete(stem + LogFiles.OffsetIndexSuffix);
                    LogFiles.TryDelete(stem + LogFiles.TimeIndexSuffix);
                    replaced++;
                }
            }
            var final = LogFiles.Stem(directory, baseOffset);
            // The indexes may be the old segment's or half renamed: rebuild them from the log.
            LogFiles.TryDelete(final + LogFiles.OffsetIndexSuffix);
            LogFiles.TryDelete(final + LogFiles.TimeIndexSuffix);
            LogFiles.Rename(swap, final + LogFiles.LogSuffix);
            Log.SwapCompleted(logger, swap, replaced, baseOffset, next);
        }
    }

    /// <summary>One past the last offset of the swap file's last whole batch.</summary>
    private static long NextOffset(string path, long baseOffset)
    {
        using var handle = LogFiles.Open(path, FileMode.Open);
        var size = RandomAccess.GetLength(handle);
        var reader = new BatchHeaderReader();
        try
        {
            long position = 0;
            var next = baseOffset;
            while (reader.TryRead(handle, position, size, out var header))
            {
                next = header.NextOffset;
                position += header.Size;
            }
            return next;
        }
        finally
        {
            reader.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(60, LogLevel.Warning, "Completed the interrupted swap of cleaned segment {Path}: replaced {Count} segments, offsets {BaseOffset} to {NextOffset}")]
        public static partial void SwapCompleted(ILogger logger, string path, int count, long baseOffset, long nextOffset);
    }
}
