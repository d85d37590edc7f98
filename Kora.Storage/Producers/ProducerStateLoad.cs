namespace Kora.Storage.Producers;

/// <summary>
/// How a log's producer state was rebuilt when it was opened or truncated: the snapshot it started from (-1 for
/// none) and the batches read from the log after it.
/// </summary>
public readonly record struct ProducerStateLoad(long SnapshotOffset, long ReplayedFrom, long ReplayedTo, int ReplayedBatches);
