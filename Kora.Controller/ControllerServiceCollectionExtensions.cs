using Kora.Controller.Apis;
using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Microsoft.Extensions.Options;

namespace Kora.Controller;

/// <summary>The controller's services: its Raft replica with the metadata state machine, and the Kafka APIs it serves.</summary>
public static class ControllerServiceCollectionExtensions
{
    public static IServiceCollection AddKoraController(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ControllerOptions>(configuration.GetSection(ControllerOptions.SectionName));
        services.AddSingleton<ControllerTelemetry>();
        services.AddSingleton<IKafkaServerTelemetry>(sp => sp.GetRequiredService<ControllerTelemetry>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ControllerOptions>>().Value;
            return new KafkaListenerSettings(options.SocketRequestMaxBytes, options.MaxInFlightBytesPerConnection);
        });
        services.AddSingleton<ControllerRaft>();
        services.AddHostedService(sp => sp.GetRequiredService<ControllerRaft>());
        services.AddSingleton<KafkaListener>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaListener>());

        services.AddSingleton<IApiHandler, ApiVersionsHandler>();
        AddRaftRpcs(services);
        services.AddSingleton<IApiHandler, BrokerRegistrationHandler>();
        services.AddSingleton<IApiHandler, BrokerHeartbeatHandler>();
        services.AddSingleton<IApiHandler, AllocateProducerIdsHandler>();
        services.AddSingleton<IApiHandler, CreateTopicsHandler>();
        services.AddSingleton<IApiHandler, DeleteTopicsHandler>();
        services.AddSingleton<IApiHandler, CreatePartitionsHandler>();
        services.AddSingleton<IApiHandler, IncrementalAlterConfigsHandler>();
        services.AddSingleton<IApiHandler, AlterConfigsHandler>();
        services.AddSingleton<IApiHandler, AlterPartitionHandler>();
        services.AddSingleton<IApiHandler, ElectLeadersHandler>();
        services.AddSingleton<IApiHandler, AlterPartitionReassignmentsHandler>();
        services.AddSingleton<IApiHandler, ListPartitionReassignmentsHandler>();
        services.AddSingleton<ApiRegistry>();
        return services;
    }

    /// <summary>The KRaft RPCs at the versions the Raft core speaks; a request is answered within its own wait plus the request timeout.</summary>
    private static void AddRaftRpcs(IServiceCollection services)
    {
        services.AddSingleton<IApiHandler>(sp => new RaftRpcHandler<VoteRequest, VoteResponse>(
            Raft(sp), VoteRequest.ApiKey, 0, 1, (r, e) => r.ErrorCode = (short)e, Timeout(sp, 0)));
        services.AddSingleton<IApiHandler>(sp => new RaftRpcHandler<BeginQuorumEpochRequest, BeginQuorumEpochResponse>(
            Raft(sp), BeginQuorumEpochRequest.ApiKey, 0, 1, (r, e) => r.ErrorCode = (short)e, Timeout(sp, 0)));
        services.AddSingleton<IApiHandler>(sp => new RaftRpcHandler<EndQuorumEpochRequest, EndQuorumEpochResponse>(
            Raft(sp), EndQuorumEpochRequest.ApiKey, 0, 1, (r, e) => r.ErrorCode = (short)e, Timeout(sp, 0)));
        // Fetch by topic id (v13+) is what KRaft replicas send.
        services.AddSingleton<IApiHandler>(sp => new RaftRpcHandler<FetchRequest, FetchResponse>(
            Raft(sp), FetchRequest.ApiKey, 13, 17, (r, e) => r.ErrorCode = (short)e, Timeout(sp, 30_000)));
        services.AddSingleton<IApiHandler>(sp => new RaftRpcHandler<FetchSnapshotRequest, FetchSnapshotResponse>(
            Raft(sp), FetchSnapshotRequest.ApiKey, 0, 1, (r, e) => r.ErrorCode = (short)e, Timeout(sp, 0)));
        services.AddSingleton<IApiHandler>(sp => new RaftRpcHandler<DescribeQuorumRequest, DescribeQuorumResponse>(
            Raft(sp), DescribeQuorumRequest.ApiKey, 0, 2, (r, e) => r.ErrorCode = (short)e, Timeout(sp, 0)));
    }

    private static ControllerRaft Raft(IServiceProvider sp) => sp.GetRequiredService<ControllerRaft>();

    private static int Timeout(IServiceProvider sp, int maxWaitMs) => maxWaitMs + sp.GetRequiredService<IOptions<ControllerOptions>>().Value.RequestTimeoutMs;
}
