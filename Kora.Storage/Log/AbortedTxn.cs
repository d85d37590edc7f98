namespace Kora.Storage.Log;

/// <summary>
/// An aborted transaction, as the transaction index stores it: the producer, its first data offset, the offset
/// of its ABORT marker, and the last stable offset when the marker was written (every transaction that began
/// below it was decided by then), which lets a search stop early.
/// </summary>
public readonly record struct AbortedTxn(long ProducerId, long FirstOffset, long LastOffset, long LastStableOffset);
