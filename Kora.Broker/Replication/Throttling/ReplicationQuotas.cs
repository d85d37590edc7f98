using Kora.Broker.Metadata;
using Kora.Metadata.Configs;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Replication.Throttling;

/// <summary>This broker's two replication quotas (Kafka's QuotaType.LeaderReplication and FollowerReplication).</summary>
public sealed class ReplicationQuotas(MetadataStore metadata, IOptions<BrokerOptions> options)
{
    /// <summary>Bytes this leader sends to followers of throttled replicas that are not in the ISR.</summary>
    public ReplicationQuota Leader { get; } = new(() => metadata.Image, options.Value.NodeId,
        ReplicationConfigs.LeaderThrottledReplicas, ReplicationConfigs.LeaderThrottledRate);

    /// <summary>Bytes this follower fetches for throttled replicas that have not caught up.</summary>
    public ReplicationQuota Follower { get; } = new(() => metadata.Image, options.Value.NodeId,
        ReplicationConfigs.FollowerThrottledReplicas, ReplicationConfigs.FollowerThrottledRate);
}
