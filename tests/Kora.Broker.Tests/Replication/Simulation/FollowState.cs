namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>
/// The replica fetcher's FetchState for the partition: whom it follows in which epoch. A new one replaces it
/// whenever the broker is told to follow again, and an answer to an older one is dropped, as the fetcher does.
/// </summary>
internal sealed record FollowState(int Leader, int LeaderEpoch);
