using Microsoft.Extensions.Logging;

namespace Kora.Raft.Core;

public sealed partial class RaftCore
{
    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Debug, "Raft node {NodeId}: {From} -> {To}")]
        public static partial void Transition(ILogger logger, int nodeId, string from, string to);

        [LoggerMessage(102, LogLevel.Error, "Raft node {NodeId} was told leader {LeaderId} for epoch {Epoch}, inconsistent with {State}; message refused")]
        public static partial void InconsistentLeader(ILogger logger, int nodeId, int leaderId, int epoch, string state);

        [LoggerMessage(103, LogLevel.Error, "Raft node {NodeId}: leader asked to truncate to {Offset}, below the high watermark {HighWatermark}; refused")]
        public static partial void TruncationBelowHighWatermark(ILogger logger, int nodeId, long offset, long highWatermark);

        [LoggerMessage(104, LogLevel.Warning, "Raft node {NodeId} dropped {Bytes} bytes of fetched records that do not validate (CRC, offsets or epochs)")]
        public static partial void RejectedRecords(ILogger logger, int nodeId, int bytes);

        [LoggerMessage(105, LogLevel.Warning, "Raft node {NodeId} log recovery: {Report}")]
        public static partial void LogRecovered(ILogger logger, int nodeId, string report);

        [LoggerMessage(106, LogLevel.Information, "Raft node {NodeId} installed snapshot {Snapshot} from leader {LeaderId}")]
        public static partial void SnapshotInstalled(ILogger logger, int nodeId, string snapshot, int leaderId);
    }
}
