using Kora.Protocol.Messages;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>A leader's answer to a follower's fetch, held back by the network; the follower applies it only if it still follows that way.</summary>
internal sealed record InFlightFetch(SimBroker Follower, FollowState State, int Leader, FetchResponse.PartitionData Data);
