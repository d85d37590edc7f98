using System.Collections.Immutable;
using System.Globalization;

namespace Kora.Metadata;

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

    /// <summary>Per-broker dynamic configs (ConfigRecord on resource BROKER named by the broker id); <see cref="BrokerConfigs"/> holds the cluster default.</summary>
    public ImmutableDictionary<int, ImmutableDictionary<string, string>> PerBrokerConfigs { get; init; } =
        ImmutableDictionary<int, ImmutableDictionary<string, string>>.Empty;

    public static MetadataImage Empty { get; } = new(
        -1,
        ImmutableDictionary<string, TopicImage>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<Guid, TopicImage>.Empty,
        ImmutableDictionary<int, BrokerImage>.Empty,
        ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    public TopicImage? Topic(string name) => TopicsByName.GetValueOrDefault(name);

    public TopicImage? Topic(Guid id) => TopicsById.GetValueOrDefault(id);

    /// <summary>A broker's own override of <paramref name="name"/>, else the cluster default, else null.</summary>
    public string? BrokerConfig(int brokerId, string name) =>
        PerBrokerConfigs.TryGetValue(brokerId, out var configs) && configs.TryGetValue(name, out var value) ? value : BrokerConfigs.GetValueOrDefault(name);

    /// <summary>The cell a broker belongs to (its <see cref="Configs.KoraConfigs.BrokerCell"/> config), or null.</summary>
    public string? CellOf(int brokerId) => BrokerConfig(brokerId, Configs.KoraConfigs.BrokerCell) is { Length: > 0 } cell ? cell : null;

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

    public static string BrokerResourceName(int brokerId) => brokerId.ToString(CultureInfo.InvariantCulture);
}
