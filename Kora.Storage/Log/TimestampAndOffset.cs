namespace Kora.Storage.Log;

/// <summary>An answer to a ListOffsets timestamp query: the batch's max timestamp and an offset in that batch.</summary>
public readonly record struct TimestampAndOffset(long Timestamp, long Offset);
