using System.Collections.Immutable;

namespace Kora.Broker.Metadata;

/// <summary>
/// An immutable view of the cluster built by applying metadata records in log order. Handlers read
/// whichever image is current; a change produces a new image, so readers never see half a change.
/// </summary>
public sealed record MetadataImage(
    long Offset,
    ImmutableDictionary<string, TopicImage> TopicsByName,
    ImmutableDictionary<Guid, TopicImage> TopicsById,
    ImmutableDictionary<int, BrokerImage> Brokers,
    ImmutableDictionary<string, string> BrokerConfigs)
{
    /// <summary>The first producer id no broker has been given yet: blocks below it are taken.</summary>
    public long NextProducerId { get; init; }

    public static MetadataImage Empty { get; } = new(
        -1,
        ImmutableDictionary<string, TopicImage>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<Guid, TopicImage>.Empty,
        ImmutableDictionary<int, BrokerImage>.Empty,
        ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    public TopicImage? Topic(string name) => TopicsByName.GetValueOrDefault(name);

    public TopicImage? Topic(Guid id) => TopicsById.GetValueOrDefault(id);

    public MetadataImage WithTopic(TopicImage topic) => this with
    {
        TopicsByName = TopicsByName.SetItem(topic.Name, topic),
        TopicsById = TopicsById.SetItem(topic.Id, topic),
    };

    public MetadataImage WithoutTopic(TopicImage topic) => this with
    {
        TopicsByName = TopicsByName.Remove(topic.Name),
        TopicsById = TopicsById.Remove(topic.Id),
    };
}
