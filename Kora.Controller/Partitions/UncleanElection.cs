using Kora.Metadata;
using Kora.Metadata.Configs;

namespace Kora.Controller.Partitions;

/// <summary>
/// Kafka's ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic: the topic's
/// <c>unclean.leader.election.enable</c> override, else the cluster-wide dynamic default, else false.
/// </summary>
public static class UncleanElection
{
    public static bool IsEnabled(MetadataImage image, TopicImage topic)
    {
        var value = topic.Configs.GetValueOrDefault(TopicConfigs.UncleanLeaderElectionEnable)
            ?? image.BrokerConfigs.GetValueOrDefault(TopicConfigs.UncleanLeaderElectionEnable);
        return bool.TryParse(value, out var enabled) && enabled;
    }

    /// <summary>The election a change that may need a new leader runs for <paramref name="topic"/>.</summary>
    public static Election For(MetadataImage image, TopicImage topic) => IsEnabled(image, topic) ? Election.Unclean : Election.Online;
}
