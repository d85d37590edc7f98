namespace Kora.AppHost.Hosting;

/// <summary>
/// A process in the fleet, as Aspire models one: a name, how to start it, its environment, what it
/// waits for, and how to tell that it is healthy.
/// </summary>
public sealed class Resource(string name, string command, IReadOnlyList<string> baseArgs)
{
    public string Name { get; } = name;
    public string Command { get; } = command;
    public List<string> Args { get; } = [.. baseArgs];
    public Dictionary<string, string> Environment { get; } = [];
    public List<Resource> WaitsFor { get; } = [];
    public List<(string Name, Func<Resource, string?> Value)> References { get; } = [];

    /// <summary>The path probed over HTTP once the ready line names the resource's HTTP endpoint.</summary>
    public string? HealthCheckPath { get; set; }

    /// <summary>Whether the resource announces readiness with a <c>KORA_*_READY</c> line (every Kora service does).</summary>
    public bool AnnouncesReadiness { get; set; }

    /// <summary>Endpoints the resource reported on its ready line (for example kafka and http).</summary>
    public Dictionary<string, string> Endpoints { get; } = [];

    /// <summary>The endpoint other resources and the user connect to, if the resource serves one.</summary>
    public string? PrimaryEndpoint { get; set; }

    public int MaxRestarts { get; set; } = 5;
}
