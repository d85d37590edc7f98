using Kora.Storage.Log;

namespace Kora.Storage.Compaction;

/// <summary>A partition log offered to the cleaner; it is cleaned only while its config says cleanup.policy has compact.</summary>
public readonly record struct CleanableLog(string Topic, int Partition, PartitionLog Log);
