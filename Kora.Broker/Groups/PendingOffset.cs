namespace Kora.Broker.Groups;

/// <summary>An offset commit written to <c>__consumer_offsets</c> but not yet held by its in-sync replicas, and its place in the write order.</summary>
public readonly record struct PendingOffset(CommittedOffset Offset, long WriteSequence);
