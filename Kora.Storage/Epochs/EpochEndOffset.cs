namespace Kora.Storage.Epochs;

/// <summary>
/// OffsetForLeaderEpoch's answer: the largest epoch at or below the requested one and the offset where it
/// ended (the start of the next epoch, or the log end for the latest). Undefined is (-1, -1).
/// </summary>
public readonly record struct EpochEndOffset(int Epoch, long EndOffset)
{
    public const int UndefinedEpoch = -1;
    public const long UndefinedOffset = -1;

    public static EpochEndOffset Undefined => new(UndefinedEpoch, UndefinedOffset);
}
