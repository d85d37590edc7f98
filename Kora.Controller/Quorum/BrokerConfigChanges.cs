using System.Globalization;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Quorum;

/// <summary>
/// Dynamic broker configs on the controller: resource BROKER named by a broker id, or "" for the cluster
/// default. The dynamic broker configs are Kora's <see cref="KoraConfigs.BrokerCell"/> and Kafka's
/// <see cref="ReplicationConfigs.DynamicBrokerConfigs"/> (replication throttle rates, unclean leader election);
/// anything else is refused as Kafka refuses configs that cannot be updated dynamically.
/// </summary>
public static class BrokerConfigChanges
{
    private static readonly Dictionary<string, ConfigDefinition?> Dynamic = ReplicationConfigs.DynamicBrokerConfigs
        .ToDictionary(d => d.Name, d => (ConfigDefinition?)d, StringComparer.Ordinal)
        .Append(new KeyValuePair<string, ConfigDefinition?>(KoraConfigs.BrokerCell, null))
        .ToDictionary(StringComparer.Ordinal);

    /// <summary><paramref name="set"/> holds the new values (null deletes); with <paramref name="replace"/> every other dynamic config is removed (legacy AlterConfigs).</summary>
    public static MetadataDecision<(ErrorCode Error, string? Message)> Alter(
        MetadataImage image, string resourceName, IReadOnlyList<KeyValuePair<string, string?>> set, bool replace, bool validateOnly)
    {
        if (resourceName.Length > 0 && (!int.TryParse(resourceName, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return Fail(ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {resourceName}");
        }
        var refused = set.Select(c => c.Key).Where(name => !Dynamic.ContainsKey(name)).ToList();
        if (refused.Count > 0)
        {
            return Fail(ErrorCode.InvalidRequest, $"Cannot update these configs dynamically: {string.Join(", ", refused)}");
        }
        if (set.FirstOrDefault(c => c.Key == KoraConfigs.BrokerCell && c.Value is { } value && !ValidCell(value)) is { Key: not null } bad)
        {
            return Fail(ErrorCode.InvalidConfig, $"Invalid value {bad.Value} for configuration {bad.Key}: a cell name uses ASCII letters, digits, '.', '_' and '-'.");
        }
        foreach (var (name, value) in set)
        {
            if (value is not null && Dynamic[name]?.Validate(value) is { } problem)
            {
                return Fail(ErrorCode.InvalidConfig, problem);
            }
        }
        var current = resourceName.Length == 0
            ? image.BrokerConfigs
            : image.PerBrokerConfigs.GetValueOrDefault(int.Parse(resourceName, CultureInfo.InvariantCulture));
        var records = new List<IKafkaMessage>();
        foreach (var (name, value) in set)
        {
            records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Broker, ResourceName = resourceName, Name = name, Value = value });
        }
        if (replace && current is not null)
        {
            foreach (var name in current.Keys.Where(k => set.All(c => c.Key != k)))
            {
                records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Broker, ResourceName = resourceName, Name = name, Value = null });
            }
        }
        return new MetadataDecision<(ErrorCode, string?)>(validateOnly ? [] : records, (ErrorCode.None, null));
    }

    private static bool ValidCell(string value) => value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static MetadataDecision<(ErrorCode, string?)> Fail(ErrorCode error, string message) => new([], (error, message));
}
