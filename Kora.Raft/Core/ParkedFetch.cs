namespace Kora.Raft.Core;

/// <summary>A fetch the leader holds until new data or a new high watermark arrives, or its wait ends.</summary>
internal sealed record ParkedFetch(int Source, int ReplicaId, int CorrelationId, short ApiVersion, long FetchOffset, int LastFetchedEpoch, int CurrentLeaderEpoch, int MaxBytes, long Deadline);
