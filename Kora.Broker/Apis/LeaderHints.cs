using System.Diagnostics.CodeAnalysis;
using Kora.Metadata;

namespace Kora.Broker.Apis;

/// <summary>KIP-951: the leader a NOT_LEADER_OR_FOLLOWER answer names, so the client goes there without a metadata round trip.</summary>
internal static class LeaderHints
{
    /// <summary>The live broker this broker's image names as the partition's leader, with its leader epoch.</summary>
    public static bool TryFind(MetadataImage image, TopicImage? topic, int partition, [NotNullWhen(true)] out BrokerImage? leader, out int leaderEpoch)
    {
        leader = null;
        leaderEpoch = -1;
        if (topic is null || partition < 0 || partition >= topic.Partitions.Length)
        {
            return false;
        }
        var known = topic.Partitions[partition];
        if (known.Leader < 0 || !image.Brokers.TryGetValue(known.Leader, out var broker) || broker.Fenced)
        {
            return false;
        }
        leader = broker;
        leaderEpoch = known.LeaderEpoch;
        return true;
    }
}
