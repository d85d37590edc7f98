namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>An invariant broken by a seeded schedule: the message names the seed and ends with the trace tail.</summary>
public sealed class ReplicationSimulationFailure(string message) : Exception(message);
