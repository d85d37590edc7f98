using Microsoft.Extensions.Logging;

namespace Kora.Storage.Log;

public sealed partial class PartitionLog
{
    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Debug, "Opened log {Directory}: {Segments} segments, offsets {LogStartOffset} to {LogEndOffset}, clean shutdown marker: {Clean}")]
        public static partial void Opened(ILogger logger, string directory, int segments, long logStartOffset, long logEndOffset, bool clean);

        [LoggerMessage(11, LogLevel.Debug, "Rolled log {Directory}: sealed segment {SealedBaseOffset}, new segment at {BaseOffset}")]
        public static partial void Rolled(ILogger logger, string directory, long sealedBaseOffset, long baseOffset);

        [LoggerMessage(12, LogLevel.Information, "Deleted {Count} segments of {Directory} by retention; log start offset is {LogStartOffset}")]
        public static partial void RetentionDeleted(ILogger logger, string directory, int count, long logStartOffset);

        [LoggerMessage(13, LogLevel.Error, "fsync of log {Directory} failed")]
        public static partial void FlushFailed(ILogger logger, string directory, Exception exception);

        [LoggerMessage(14, LogLevel.Error, "Clean close of log {Directory} failed; it will be recovered on the next open")]
        public static partial void CloseFailed(ILogger logger, string directory, Exception exception);

        [LoggerMessage(15, LogLevel.Information, "Truncated log {Directory} to offset {Offset}; it now ends at {LogEndOffset}")]
        public static partial void Truncated(ILogger logger, string directory, long offset, long logEndOffset);

        [LoggerMessage(16, LogLevel.Information, "Deleted log {Directory}")]
        public static partial void Deleted(ILogger logger, string directory);

        [LoggerMessage(17, LogLevel.Debug, "Loaded producer state of {Directory}: snapshot at offset {SnapshotOffset}, replayed {Batches} producer batches from offset {From} to {To}; {Producers} producers")]
        public static partial void ProducerStateLoaded(ILogger logger, string directory, long snapshotOffset, long from, long to, int batches, int producers);

        [LoggerMessage(18, LogLevel.Warning, "Producer state snapshot {Offset} of {Directory} is corrupt; deleted it")]
        public static partial void SnapshotCorrupt(ILogger logger, string directory, long offset);

        [LoggerMessage(19, LogLevel.Warning, "Could not write the producer state snapshot {Offset} of {Directory}; recovery will replay more of the log")]
        public static partial void SnapshotFailed(ILogger logger, string directory, long offset, Exception exception);

        [LoggerMessage(20, LogLevel.Debug, "Expired {Count} idle producer ids of {Directory}")]
        public static partial void ProducersExpired(ILogger logger, string directory, int count);
    }
}
