namespace Kora.Broker.Groups;

/// <summary>A committed offset as OffsetCommit stores it and OffsetFetch returns it.</summary>
public sealed record CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestampMs);
