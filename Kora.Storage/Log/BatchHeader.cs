namespace Kora.Storage.Log;

/// <summary>The fields of a stored batch's header that the log navigates by.</summary>
internal readonly record struct BatchHeader(long BaseOffset, int Size, long LastOffset, long MaxTimestamp)
{
    public long NextOffset => LastOffset + 1;
}
