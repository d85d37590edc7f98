namespace Kora.Raft;

/// <summary>
/// Counts of things that should never happen between correct replicas: a peer naming a different
/// leader for an epoch this replica already knows, or a leader asking to truncate committed data.
/// Such messages are refused; the counters make them visible to tests and operators.
/// </summary>
public sealed class RaftDiagnostics
{
    public int InconsistentLeaders { get; internal set; }
    public int TruncationsBelowHighWatermark { get; internal set; }
    public int RejectedRecordBatches { get; internal set; }
    public string? LastViolation { get; internal set; }
}
