using Kora.Broker.Apis;
using Kora.Broker.Cluster;
using Kora.Broker.Fetching;
using Kora.Broker.Groups;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Broker.Telemetry;
using Kora.Broker.Tenancy;
using Kora.Broker.Transactions;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Microsoft.Extensions.Options;

namespace Kora.Broker;

/// <summary>The broker's services: metadata, partitions, and one handler per Kafka API.</summary>
public static class BrokerServiceCollectionExtensions
{
    public static IServiceCollection AddKoraBroker(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BrokerOptions>(configuration.GetSection(BrokerOptions.SectionName));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<BrokerMetrics>();
        services.AddSingleton<IKafkaServerTelemetry>(sp => sp.GetRequiredService<BrokerMetrics>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BrokerOptions>>().Value;
            return new KafkaListenerSettings(options.SocketRequestMaxBytes, options.MaxInFlightBytesPerConnection);
        });
        services.AddSingleton<IResourceNames, SharedNamespace>();
        var clusterMode = configuration.GetSection(BrokerOptions.SectionName).Get<BrokerOptions>()?.IsClusterMode ?? false;
        services.AddSingleton(sp => new MetadataStore(
            Path.GetFullPath(sp.GetRequiredService<IOptions<BrokerOptions>>().Value.DataDir),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MetadataStore>>(),
            localLog: !clusterMode));
        if (clusterMode)
        {
            services.AddSingleton<MetadataObserver>();
            services.AddSingleton<ControllerChannel>();
            services.AddSingleton<BrokerLifecycle>();
            services.AddSingleton<ForwardingAdmin>();
            services.AddSingleton<Replication.ReplicaFetcherManager>();
            services.AddSingleton<Replication.IsrChangeSender>();
            services.AddHostedService(sp => sp.GetRequiredService<Replication.IsrChangeSender>());
            services.AddHostedService<HighWatermarkCheckpointService>();
        }
        services.AddSingleton<Replication.Throttling.ReplicationQuotas>();
        services.AddSingleton<TopicAdmin>();
        services.AddSingleton<PartitionManager>();
        services.AddSingleton<FetchSessionCache>();
        services.AddSingleton<Configs.ConfigResourceAlterer>();
        services.AddHostedService<LogMaintenanceService>();
        services.AddSingleton<LogCleanerService>();
        services.AddHostedService(sp => sp.GetRequiredService<LogCleanerService>());
        services.AddSingleton<ConsumerOffsetsLog>();
        services.AddSingleton(sp =>
        {
            var admin = sp.GetRequiredService<TopicAdmin>();
            return new GroupCoordinator(
                sp.GetRequiredService<ConsumerOffsetsLog>(), sp.GetRequiredService<TimeProvider>(),
                GroupSettings.From(sp.GetRequiredService<IOptions<BrokerOptions>>().Value), () => admin.Image);
        });
        services.AddSingleton<GroupPartitionLoader>();
        services.AddHostedService<GroupCoordinatorService>();
        services.AddSingleton<ProducerIdManager>();
        services.AddSingleton<IProducerIdSource>(sp => sp.GetRequiredService<ProducerIdManager>());
        services.AddSingleton<TransactionStateLog>();
        services.AddSingleton<PartitionMarkerWriter>();
        if (clusterMode)
        {
            services.AddSingleton<ClusterMarkerWriter>();
            services.AddSingleton<ITransactionMarkerWriter>(sp => sp.GetRequiredService<ClusterMarkerWriter>());
        }
        else
        {
            services.AddSingleton<ITransactionMarkerWriter>(sp => sp.GetRequiredService<PartitionMarkerWriter>());
        }
        services.AddSingleton<TransactionPartitionLoader>();
        services.AddSingleton<ITransactionLog>(sp => sp.GetRequiredService<TransactionStateLog>());
        services.AddSingleton(sp => new TransactionCoordinator(
            sp.GetRequiredService<ITransactionLog>(), sp.GetRequiredService<ITransactionMarkerWriter>(), sp.GetRequiredService<IProducerIdSource>(),
            sp.GetRequiredService<TimeProvider>(), TransactionSettings.From(sp.GetRequiredService<IOptions<BrokerOptions>>().Value),
            sp.GetRequiredService<ILogger<TransactionCoordinator>>()));
        services.AddHostedService<TransactionCoordinatorService>();
        services.AddSingleton<KafkaListener>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaListener>());
        if (clusterMode)
        {
            // Stopped before the listener: the controlled shutdown moves leaderships while clients can still be redirected.
            services.AddHostedService(sp => sp.GetRequiredService<BrokerLifecycle>());
        }

        services.AddSingleton<IApiHandler, ApiVersionsHandler>();
        services.AddSingleton<IApiHandler, MetadataHandler>();
        services.AddSingleton<IApiHandler, ProduceHandler>();
        services.AddSingleton<IApiHandler, FetchHandler>();
        services.AddSingleton<IApiHandler, ListOffsetsHandler>();
        services.AddSingleton<IApiHandler, OffsetForLeaderEpochHandler>();
        services.AddSingleton<IApiHandler, CreateTopicsHandler>();
        services.AddSingleton<IApiHandler, DeleteTopicsHandler>();
        services.AddSingleton<IApiHandler, CreatePartitionsHandler>();
        services.AddSingleton<IApiHandler, DescribeConfigsHandler>();
        services.AddSingleton<IApiHandler, AlterConfigsHandler>();
        services.AddSingleton<IApiHandler, IncrementalAlterConfigsHandler>();
        services.AddSingleton<IApiHandler, DeleteRecordsHandler>();
        services.AddSingleton<IApiHandler, DescribeClusterHandler>();
        services.AddSingleton<IApiHandler, DescribeLogDirsHandler>();
        services.AddSingleton<IApiHandler, FindCoordinatorHandler>();
        services.AddSingleton<IApiHandler, JoinGroupHandler>();
        services.AddSingleton<IApiHandler, SyncGroupHandler>();
        services.AddSingleton<IApiHandler, HeartbeatHandler>();
        services.AddSingleton<IApiHandler, LeaveGroupHandler>();
        services.AddSingleton<IApiHandler, OffsetCommitHandler>();
        services.AddSingleton<IApiHandler, OffsetFetchHandler>();
        services.AddSingleton<IApiHandler, ListGroupsHandler>();
        services.AddSingleton<IApiHandler, DescribeGroupsHandler>();
        services.AddSingleton<IApiHandler, DeleteGroupsHandler>();
        services.AddSingleton<IApiHandler, OffsetDeleteHandler>();
        services.AddSingleton<IApiHandler, InitProducerIdHandler>();
        services.AddSingleton<IApiHandler, AddPartitionsToTxnHandler>();
        services.AddSingleton<IApiHandler, AddOffsetsToTxnHandler>();
        services.AddSingleton<IApiHandler, EndTxnHandler>();
        services.AddSingleton<IApiHandler, TxnOffsetCommitHandler>();
        services.AddSingleton<IApiHandler, DescribeTransactionsHandler>();
        services.AddSingleton<IApiHandler, DescribeProducersHandler>();
        services.AddSingleton<IApiHandler, ListTransactionsHandler>();
        services.AddSingleton<IApiHandler, WriteTxnMarkersHandler>();
        services.AddSingleton<IApiHandler, ConsumerGroupHeartbeatHandler>();
        services.AddSingleton<IApiHandler, ConsumerGroupDescribeHandler>();
        if (clusterMode)
        {
            // Leadership and replica placement belong to the controller: brokers forward these.
            services.AddSingleton<IApiHandler, ElectLeadersHandler>();
            services.AddSingleton<IApiHandler, AlterPartitionReassignmentsHandler>();
            services.AddSingleton<IApiHandler, ListPartitionReassignmentsHandler>();
        }
        services.AddSingleton<ApiRegistry>();
        return services;
    }
}
