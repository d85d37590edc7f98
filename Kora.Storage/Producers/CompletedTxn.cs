namespace Kora.Storage.Producers;

/// <summary>
/// A transaction of one producer: from its first data offset to its marker's offset (-1 while it is ongoing).
/// </summary>
internal readonly record struct CompletedTxn(long ProducerId, long FirstOffset, long LastOffset, bool IsAborted);
