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

    /// <summary>
    /// Controller <paramref name="nodeId"/> (<c>controller-N</c>), a voter of the metadata quorum: its Kafka-protocol
    /// endpoint (Raft and broker RPCs; a free port chosen before anything starts, so every voter and broker can be told
    /// it up front), HTTP endpoint, its own data folder, and healthy once it printed its ready line and <c>/health</c> answers.
    /// The voter list is wired with <see cref="WithQuorum"/> once every controller exists.
    /// </summary>
    public static ResourceBuilder<ProjectResource> AddController(this DistributedApplicationBuilder builder, int nodeId)
    {
        var bind = builder.ExecutionContext.IsPublishMode ? "0.0.0.0" : EndpointAnnotation.LoopbackHost;
        var controller = builder.AddProject($"controller-{(nodeId - FleetOptions.FirstControllerId + 1).ToString(CultureInfo.InvariantCulture)}", "Kora.Controller")
            .WithEndpoint("controller", port: null, KafkaContainerPort)
            .WithHttpEndpoint(targetPort: HttpContainerPort);
        var endpoint = controller.GetEndpoint("controller");
        var http = controller.GetEndpoint("http");
        return controller
            .WithEnvironment("Kora__Controller__NodeId", nodeId.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Kora__Controller__Listener", ReferenceExpression.Create($"{bind}:{endpoint.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kora__Controller__HttpListener", ReferenceExpression.Create($"{bind}:{http.Property(EndpointProperty.TargetPort)}"))
            .WithDataVolume("Kora__Controller__DataDir")
            .WithReadyLine("KORA_CONTROLLER_READY")
            .WithHttpHealthCheck("/health");
    }

    /// <summary>Kafka's <c>controller.quorum.voters</c> for these controllers: <c>id@host:port,...</c>.</summary>
    public static ReferenceExpression QuorumVoters(this IReadOnlyList<(int NodeId, ResourceBuilder<ProjectResource> Controller)> controllers) =>
        ReferenceExpression.Join(",", controllers.Select(c =>
            ReferenceExpression.Create($"{c.NodeId.ToString(CultureInfo.InvariantCulture)}@{c.Controller.GetEndpoint("controller").Property(EndpointProperty.HostAndPort)}")));

    /// <summary>Tells every controller the voter set it belongs to.</summary>
    public static void WithQuorum(this IReadOnlyList<(int NodeId, ResourceBuilder<ProjectResource> Controller)> controllers)
    {
        var voters = controllers.QuorumVoters();
        foreach (var (_, controller) in controllers)
        {
            controller.WithEnvironment("Kora__Controller__QuorumVoters", voters);
        }
    }

    /// <summary>
    /// Makes a broker a member of the cluster the controllers run: it is told the voters, references each
    /// controller and starts only once all of them are healthy.
    /// </summary>
    public static ResourceBuilder<ProjectResource> WithControllers(
        this ResourceBuilder<ProjectResource> broker, IReadOnlyList<(int NodeId, ResourceBuilder<ProjectResource> Controller)> controllers)
    {
        if (controllers.Count == 0)
        {
            return broker;
        }
        broker.WithEnvironment("Kora__Broker__ControllerQuorumVoters", controllers.QuorumVoters());
        foreach (var (_, controller) in controllers)
        {
            broker.WithReference(controller).WaitFor(controller);
        }
        return broker;
    }

    /// <summary>
    /// The fleet's replication defaults for a broker: for the topics it creates itself (auto-created ones and the
    /// internal <c>__consumer_offsets</c> and <c>__transaction_state</c>) and min.insync.replicas of every topic.
    /// </summary>
    public static ResourceBuilder<ProjectResource> WithBrokerReplicationDefaults(this ResourceBuilder<ProjectResource> broker, FleetOptions fleet)
    {
        var factor = fleet.ReplicationFactor.ToString(CultureInfo.InvariantCulture);
        var minInsync = fleet.MinInsyncReplicas.ToString(CultureInfo.InvariantCulture);
        return broker
            .WithEnvironment("Kora__Broker__DefaultReplicationFactor", factor)
            .WithEnvironment("Kora__Broker__MinInsyncReplicas", minInsync)
            .WithEnvironment("Kora__Broker__OffsetsTopicReplicationFactor", factor)
            .WithEnvironment("Kora__Broker__OffsetsTopicMinIsr", minInsync)
            .WithEnvironment("Kora__Broker__TransactionStateLogReplicationFactor", factor)
            .WithEnvironment("Kora__Broker__TransactionStateLogMinIsr", minInsync);
    }

    /// <summary>The fleet's replication defaults for a controller: for CreateTopics that leaves them to the server.</summary>
    public static ResourceBuilder<ProjectResource> WithControllerReplicationDefaults(this ResourceBuilder<ProjectResource> controller, FleetOptions fleet) =>
        controller
            .WithEnvironment("Kora__Controller__DefaultReplicationFactor", fleet.ReplicationFactor.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Kora__Controller__MinInsyncReplicas", fleet.MinInsyncReplicas.ToString(CultureInfo.InvariantCulture));

    /// <summary>The comma-separated bootstrap address list of <paramref name="brokers"/>, once ports are chosen.</summary>
    public static string BootstrapServers(this IEnumerable<ResourceBuilder<ProjectResource>> brokers) =>
        string.Join(',', brokers.Select(b => b.GetEndpoint("kafka").HostAndPort));
}
