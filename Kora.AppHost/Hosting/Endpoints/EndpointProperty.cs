namespace Kora.AppHost.Hosting.Endpoints;

/// <summary>The parts of an endpoint that can be handed to another resource (Aspire's names).</summary>
public enum EndpointProperty
{
    /// <summary><c>scheme://host:port</c>.</summary>
    Url,
    Host,
    Port,

    /// <summary>The port the serving process binds (equal to <see cref="Port"/> when run locally).</summary>
    TargetPort,
    Scheme,

    /// <summary><c>host:port</c>, what Kafka clients call a bootstrap address.</summary>
    HostAndPort,
}
