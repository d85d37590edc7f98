using System.Globalization;
using Kora.AppHost.Hosting;
using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Hosting.Expressions;

namespace Kora.AppHost.Fleet;

/// <summary>Kora's services as resources, each wired the way the service reads its settings.</summary>
public static class KoraResourceBuilderExtensions
{
    /// <summary>Where the Kafka listener listens inside a published container.</summary>
    public const int KafkaContainerPort = 9092;

    /// <summary>Where every service's /health, /alive and /metrics are served inside a published container.</summary>
    public const int HttpContainerPort = 8080;

    /// <summary>
    /// Broker <paramref name="nodeId"/> (<c>broker-N</c>): its Kafka endpoint (the port given, or a free
    /// one) and HTTP endpoint, node id, cell, listeners, its own data folder, and healthy once it has
    /// printed its ready line and <c>/health</c> answers. Referencing it passes its bootstrap address as
    /// <c>ConnectionStrings__broker-N</c>.
    /// </summary>
    public static ResourceBuilder<ProjectResource> AddBroker(this DistributedApplicationBuilder builder, int nodeId, int cell, int? kafkaPort)
    {
        // A container listens on every interface; this host's processes only on loopback.
        var bind = builder.ExecutionContext.IsPublishMode ? "0.0.0.0" : EndpointAnnotation.LoopbackHost;
        var broker = builder.AddProject($"broker-{nodeId.ToString(CultureInfo.InvariantCulture)}", "Kora.Broker")
            .WithEndpoint("kafka", kafkaPort, KafkaContainerPort, isExternal: true)
            .WithHttpEndpoint(targetPort: HttpContainerPort);
        var kafka = broker.GetEndpoint("kafka");
        var http = broker.GetEndpoint("http");
        return broker
            .WithEnvironment("Kora__Broker__NodeId", nodeId.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Kora__Broker__Cell", cell.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Kora__Broker__Listener", ReferenceExpression.Create($"{bind}:{kafka.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kora__Broker__AdvertisedListener", kafka.Property(EndpointProperty.HostAndPort))
            .WithEnvironment("Kora__Broker__HttpListener", ReferenceExpression.Create($"{bind}:{http.Property(EndpointProperty.TargetPort)}"))
            .WithDataVolume("Kora__Broker__DataDir")
            .WithConnectionString(ReferenceExpression.Create($"{kafka.Property(EndpointProperty.HostAndPort)}"))
            .WithReadyLine("KORA_BROKER_READY")
            .WithHttpHealthCheck("/health");
    }

    /// <summary>The comma-separated bootstrap address list of <paramref name="brokers"/>, once ports are chosen.</summary>
    public static string BootstrapServers(this IEnumerable<ResourceBuilder<ProjectResource>> brokers) =>
        string.Join(',', brokers.Select(b => b.GetEndpoint("kafka").HostAndPort));
}
