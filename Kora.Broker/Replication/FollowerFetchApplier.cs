using System.Runtime.InteropServices;
using Kora.Broker.Partitions;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Storage.Epochs;

namespace Kora.Broker.Replication;

/// <summary>
/// Kafka's AbstractFetcherThread.processFetchRequest for one partition, without the connection: appends the
/// leader's batches as they are, takes the leader's high watermark (capped at the local log end) and log
/// start, and truncates a diverged tail when the leader answers with a diverging epoch (KIP-320) or the fetch
/// offset is out of the leader's range.
/// </summary>
internal static partial class FollowerFetchApplier
{
    /// <summary>
    /// Applies <paramref name="data"/> to <paramref name="partition"/>'s log; <paramref name="appendedBytes"/> is
    /// the size of the records appended (for the follower's quota).
    /// </summary>
    public static FollowerFetchOutcome Apply(Partition partition, FetchResponse.PartitionData data, long nowMs, ILogger logger, out int appendedBytes)
    {
        appendedBytes = 0;
        var log = partition.Log;
        switch ((ErrorCode)data.ErrorCode)
        {
            case ErrorCode.None:
                if (data.DivergingEpoch is { } diverging && (diverging.Epoch >= 0 || diverging.EndOffset >= 0))
                {
                    TruncateOnDivergence(partition, diverging.Epoch, diverging.EndOffset, logger);
                    return FollowerFetchOutcome.Truncated;
                }
                if (data.Records is { Length: > 0 } records)
                {
                    var bytes = MemoryMarshal.AsMemory(records.Memory).Span;
                    var appended = log.AppendAsFollower(bytes, nowMs);
                    if (appended.Error != ErrorCode.None)
                    {
                        Log.AppendFailed(logger, partition.Topic, partition.Index, appended.Error);
                        return FollowerFetchOutcome.AppendFailed;
                    }
                    appendedBytes = bytes.Length;
                }
                var before = log.HighWatermark;
                log.SetFollowerHighWatermark(Math.Min(data.HighWatermark, log.LogEndOffset));
                if (log.HighWatermark != before)
                {
                    // Consumers reading from this follower (KIP-392) wait for its high watermark to move.
                    partition.Wake();
                }
                if (data.LogStartOffset > log.LogStartOffset && data.LogStartOffset <= log.HighWatermark)
                {
                    log.DeleteRecordsBefore(data.LogStartOffset);
                }
                return FollowerFetchOutcome.Applied;
            case ErrorCode.OffsetOutOfRange:
                HandleOutOfRange(partition, data, logger);
                return FollowerFetchOutcome.Truncated;
            default:
                return FollowerFetchOutcome.Refused;
        }
    }

    /// <summary>
    /// Kafka's getOffsetTruncationState for a leader's diverging epoch: with the same epoch here, truncate to the
    /// smaller end; with an older one, to where that one ends here (the next fetch checks again); with none, to
    /// the high watermark.
    /// </summary>
    private static void TruncateOnDivergence(Partition partition, int leaderEpoch, long leaderEndOffset, ILogger logger)
    {
        var log = partition.Log;
        var target = TruncationOffset(log.EndOffsetForEpoch(leaderEpoch), leaderEpoch, leaderEndOffset, log.LogEndOffset, log.HighWatermark);
        Log.Truncating(logger, partition.Topic, partition.Index, log.LogEndOffset, target, leaderEpoch, leaderEndOffset);
        log.Truncate(target);
    }

    /// <summary>The offset a follower truncates to, given the leader's diverging epoch and its own end for that epoch.</summary>
    public static long TruncationOffset(EpochEndOffset local, int leaderEpoch, long leaderEndOffset, long logEndOffset, long highWatermark)
    {
        if (leaderEndOffset < 0)
        {
            return Math.Min(highWatermark, logEndOffset);
        }
        if (leaderEpoch < 0 || local.EndOffset < 0 || local.Epoch < 0)
        {
            return Math.Min(leaderEndOffset, logEndOffset);
        }
        if (local.Epoch != leaderEpoch)
        {
            return Math.Min(local.EndOffset, logEndOffset);
        }
        return Math.Min(Math.Min(leaderEndOffset, local.EndOffset), logEndOffset);
    }

    private static void HandleOutOfRange(Partition partition, FetchResponse.PartitionData data, ILogger logger)
    {
        var log = partition.Log;
        if (data.LogStartOffset >= 0 && log.LogEndOffset < data.LogStartOffset)
        {
            Log.Truncating(logger, partition.Topic, partition.Index, log.LogEndOffset, data.LogStartOffset, -1, -1);
            log.TruncateFullyAndStartAt(data.LogStartOffset);
            return;
        }
        // Past the leader's end: what the leader has committed is here too, the rest is not the leader's.
        var target = data.HighWatermark >= 0 ? Math.Min(data.HighWatermark, log.LogEndOffset) : log.HighWatermark;
        Log.Truncating(logger, partition.Topic, partition.Index, log.LogEndOffset, target, -1, -1);
        log.Truncate(target);
    }

    private static partial class Log
    {
        [LoggerMessage(4, LogLevel.Warning, "Appending fetched data to {Topic}-{Partition} failed: {Error}")]
        public static partial void AppendFailed(ILogger logger, string topic, int partition, ErrorCode error);

        [LoggerMessage(5, LogLevel.Information, "Truncating {Topic}-{Partition} from {LogEndOffset} to {Offset} (leader's epoch {Epoch} ends at {LeaderEndOffset})")]
        public static partial void Truncating(ILogger logger, string topic, int partition, long logEndOffset, long offset, int epoch, long leaderEndOffset);
    }
}
