namespace Kora.Storage.Compaction;

/// <summary>A transaction that ended with an ABORT marker: its data spans <paramref name="FirstOffset"/> to the marker at <paramref name="LastOffset"/>.</summary>
internal readonly record struct AbortedTransaction(long ProducerId, long FirstOffset, long LastOffset);
