using Kora.Protocol.Primitives;

namespace Kora.Storage.Log;

/// <summary>
/// Where an append landed. <paramref name="LogAppendTime"/> is -1 unless the topic uses LogAppendTime.
/// A refused append (<paramref name="Error"/> set) wrote nothing and has offsets of -1; a duplicate
/// (<paramref name="IsDuplicate"/>) wrote nothing and carries the offsets of the batch it repeats.
/// </summary>
public readonly record struct AppendResult(
    long BaseOffset,
    long LastOffset,
    long LogAppendTime,
    long LogStartOffset,
    ErrorCode Error = ErrorCode.None,
    bool IsDuplicate = false)
{
    public static AppendResult Refused(ErrorCode error, long logStartOffset) => new(-1, -1, -1, logStartOffset, error);
}
