namespace Kora.AppHost.Orchestration;

/// <summary>A resource's state at one moment, for the host's callers and tests.</summary>
public sealed record ResourceSnapshot(string Name, ResourceState State, int? ProcessId, int Restarts, int? LastExitCode, IReadOnlyDictionary<string, string> ReportedEndpoints);
