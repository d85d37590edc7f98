namespace Kora.Storage.Tests.Compaction;

/// <summary>A record as read back from the log.</summary>
internal sealed record StoredRecord(long Offset, string? Key, string? Value, long Timestamp);
