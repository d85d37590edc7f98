namespace Kora.Raft.Tests.Simulation;

/// <summary>A safety or liveness property the simulation found broken.</summary>
public sealed class SimulationFailure(string message) : Exception(message);
