namespace Kora.Storage.Log;

/// <summary>
/// A closed (immutable) segment as tiered storage sees it. <paramref name="NextOffset"/> is the base offset of
/// the segment after it; <paramref name="MaxTimestamp"/> is -1 when no batch carried a timestamp.
/// </summary>
public sealed record SegmentInfo(
    long BaseOffset,
    long NextOffset,
    string LogPath,
    string OffsetIndexPath,
    string TimeIndexPath,
    long Size,
    long MaxTimestamp);
