using Kora.Protocol.Primitives;

namespace Kora.Storage.Log;

/// <summary>
/// The outcome of <see cref="PartitionLog.Read"/>: whole batches as file regions (never null, possibly empty),
/// plus the log bounds seen by the read so an error response can report them. <paramref name="NextOffset"/> is
/// the offset just past the last returned batch (the fetch offset when none is), where the returned data ends.
/// </summary>
public readonly record struct FetchResult(ReadStatus Status, IRecordsSource Records, long LogStartOffset, long LogEndOffset, long NextOffset = -1);
