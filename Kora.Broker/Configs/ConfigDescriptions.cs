using Kora.Metadata.Configs;

namespace Kora.Broker.Configs;

/// <summary>One place a config value can come from, most specific first in <see cref="DescribedConfig.Synonyms"/>.</summary>
public readonly record struct ConfigSynonym(string Name, string? Value, ConfigSource Source);

/// <summary>A config entry as DescribeConfigs reports it, before version and flag filtering.</summary>
public sealed record DescribedConfig(
    string Name,
    string? Value,
    ConfigSource Source,
    bool ReadOnly,
    bool IsSensitive,
    ConfigType Type,
    string? Documentation,
    IReadOnlyList<ConfigSynonym> Synonyms);

/// <summary>
/// What DescribeConfigs says about topic and broker configs, following Kafka's ConfigHelper: the value
/// is the most specific one, the synonyms list every source that sets it (a topic override, then the
/// broker setting when it differs from Kafka's default, then that default), and the source is the
/// first synonym's. A broker setting counts as static when it differs from <see cref="BrokerOptions"/>'s
/// own default, since the options do not record whether a value was given explicitly.
/// </summary>
public static class ConfigDescriptions
{
    private static readonly BrokerOptions Defaults = new();

    /// <summary>True when <paramref name="name"/> passes the request's key filter (null or empty means all, as in Kafka).</summary>
    public static bool Selected(string name, IReadOnlyCollection<string>? keys) =>
        keys is null || keys.Count == 0 || keys.Contains(name, StringComparer.Ordinal);

    /// <summary>Every topic config, with the topic's <paramref name="overrides"/> over the broker's defaults.</summary>
    public static List<DescribedConfig> Topic(IReadOnlyDictionary<string, string> overrides, BrokerOptions broker, IReadOnlyCollection<string>? keys)
    {
        var result = new List<DescribedConfig>();
        foreach (var definition in TopicConfigs.All)
        {
            if (!Selected(definition.Name, keys))
            {
                continue;
            }
            var synonyms = new List<ConfigSynonym>();
            if (overrides.TryGetValue(definition.Name, out var overridden))
            {
                synonyms.Add(new ConfigSynonym(definition.Name, overridden, ConfigSource.DynamicTopicConfig));
            }
            if (definition.BrokerSynonym is { } brokerName)
            {
                AddBrokerSynonyms(synonyms, brokerName, definition.Default(broker), definition.Default(Defaults));
            }
            result.Add(new DescribedConfig(
                definition.Name,
                overridden ?? definition.Default(broker),
                synonyms.Count == 0 ? ConfigSource.DefaultConfig : synonyms[0].Source,
                ReadOnly: false,
                IsSensitive: false,
                definition.Type,
                definition.Documentation,
                synonyms));
        }
        return result;
    }

    /// <summary>
    /// This broker's own configs (a broker resource named by its node id). Those that can be set dynamically
    /// take the value set for this broker, else the cluster-wide default, over the static setting.
    /// </summary>
    public static List<DescribedConfig> Broker(
        BrokerOptions broker, IReadOnlyCollection<string>? keys,
        IReadOnlyDictionary<string, string>? perBroker = null, IReadOnlyDictionary<string, string>? clusterDefaults = null)
    {
        var result = new List<DescribedConfig>();
        foreach (var definition in BrokerConfigs.All)
        {
            if (!Selected(definition.Name, keys))
            {
                continue;
            }
            var synonyms = new List<ConfigSynonym>();
            if (perBroker?.GetValueOrDefault(definition.Name) is { } own)
            {
                synonyms.Add(new ConfigSynonym(definition.Name, own, ConfigSource.DynamicBrokerConfig));
            }
            if (clusterDefaults?.GetValueOrDefault(definition.Name) is { } shared)
            {
                synonyms.Add(new ConfigSynonym(definition.Name, shared, ConfigSource.DynamicDefaultBrokerConfig));
            }
            var value = synonyms.Count > 0 ? synonyms[0].Value : definition.Value(broker);
            AddBrokerSynonyms(synonyms, definition.Name, definition.Value(broker), definition.Value(Defaults));
            result.Add(new DescribedConfig(
                definition.Name,
                value,
                synonyms.Count == 0 ? ConfigSource.DefaultConfig : synonyms[0].Source,
                ReadOnly: !DynamicBrokerConfigNames.Contains(definition.Name),
                IsSensitive: false,
                definition.Type,
                definition.Documentation,
                synonyms));
        }
        return result;
    }

    private static readonly HashSet<string> DynamicBrokerConfigNames =
        new(ReplicationConfigs.DynamicBrokerConfigs.Select(d => d.Name).Append(KoraConfigs.BrokerCell), StringComparer.Ordinal);

    /// <summary>The cluster-wide dynamic broker defaults (a broker resource with an empty name): only those set.</summary>
    public static List<DescribedConfig> ClusterDefaults(IReadOnlyDictionary<string, string> dynamicDefaults, IReadOnlyCollection<string>? keys)
    {
        var result = new List<DescribedConfig>();
        foreach (var (name, value) in dynamicDefaults.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!Selected(name, keys))
            {
                continue;
            }
            var definition = BrokerConfigs.ByName.GetValueOrDefault(name);
            result.Add(new DescribedConfig(
                name,
                value,
                ConfigSource.DynamicDefaultBrokerConfig,
                ReadOnly: false,
                IsSensitive: false,
                definition?.Type ?? ConfigType.String,
                definition?.Documentation,
                [new ConfigSynonym(name, value, ConfigSource.DynamicDefaultBrokerConfig)]));
        }
        return result;
    }

    private static void AddBrokerSynonyms(List<ConfigSynonym> synonyms, string name, string? value, string? defaultValue)
    {
        if (!string.Equals(value, defaultValue, StringComparison.Ordinal) && value is not null)
        {
            synonyms.Add(new ConfigSynonym(name, value, ConfigSource.StaticBrokerConfig));
        }
        if (defaultValue is not null)
        {
            synonyms.Add(new ConfigSynonym(name, defaultValue, ConfigSource.DefaultConfig));
        }
    }
}
