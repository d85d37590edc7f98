namespace Kora.AppHost.Hosting.Endpoints;

/// <summary>
/// A named network endpoint a resource serves, as Aspire's <c>EndpointAnnotation</c>. Locally the
/// host picks the port before anything starts (<see cref="Port"/> if given, else a free loopback
/// port), so every resource can be told every other resource's address up front. When published,
/// <see cref="TargetPort"/> is the port the process listens on inside its container.
/// </summary>
public sealed class EndpointAnnotation
{
    /// <summary>Where every local endpoint listens: the host only serves the machine it runs on.</summary>
    public const string LoopbackHost = "127.0.0.1";

    public EndpointAnnotation(string name, string scheme, int? port, int? targetPort, bool isExternal)
    {
        ResourceNames.Validate(name, "endpoint");
        if (port is < 0 or > 65535 || targetPort is <= 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), $"Endpoint '{name}' has a port outside 1-65535.");
        }
        Name = name;
        Scheme = scheme;
        // Port 0 means "any free port", the same as leaving it out.
        Port = port is 0 ? null : port;
        TargetPort = targetPort;
        IsExternal = isExternal;
    }

    public string Name { get; }

    /// <summary>The URL scheme: <c>http</c>, or <c>tcp</c> for a raw protocol such as Kafka's.</summary>
    public string Scheme { get; }

    /// <summary>The port asked for; null lets the host choose a free one.</summary>
    public int? Port { get; }

    /// <summary>The port inside a published container; defaults to <see cref="Port"/>.</summary>
    public int? TargetPort { get; }

    /// <summary>Whether a published deployment exposes the endpoint outside its private network.</summary>
    public bool IsExternal { get; }

    /// <summary>The port this host chose when the application was built (run mode only).</summary>
    public int? AllocatedPort { get; internal set; }

    /// <summary>Aspire's manifest transport: <c>http</c> for HTTP endpoints, <c>tcp</c> otherwise.</summary>
    public string Transport => Scheme is "http" or "https" ? "http" : "tcp";
}
