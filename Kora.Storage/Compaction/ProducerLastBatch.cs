namespace Kora.Storage.Compaction;

/// <summary>
/// What the cleaner must keep of one producer so its idempotence and fencing state survive: the batch ending at
/// <paramref name="LastDataOffset"/> (-1 when only markers remain), or else its marker of epoch <paramref name="Epoch"/>.
/// </summary>
internal readonly record struct ProducerLastBatch(long LastDataOffset, short Epoch);
