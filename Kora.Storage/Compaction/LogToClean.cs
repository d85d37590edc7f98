namespace Kora.Storage.Compaction;

/// <summary>
/// A compacted log and its sections: clean below <paramref name="FirstDirtyOffset"/>, dirty up to
/// <paramref name="FirstUncleanableOffset"/> (the active segment, and segments within min.compaction.lag.ms, are never cleaned).
/// </summary>
internal sealed record LogToClean(
    CleanableLog Target,
    long FirstDirtyOffset,
    long FirstUncleanableOffset,
    long CleanBytes,
    long CleanableBytes,
    bool NeedsCompactionNow,
    bool DeleteHorizonPassed)
{
    /// <summary>The dirty ratio: dirty bytes over all bytes of the cleanable part of the log.</summary>
    public double CleanableRatio => CleanBytes + CleanableBytes == 0 ? 0 : (double)CleanableBytes / (CleanBytes + CleanableBytes);
}
