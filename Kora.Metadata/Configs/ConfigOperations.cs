namespace Kora.Metadata.Configs;

/// <summary>IncrementalAlterConfigs operation types, numbered as on the wire.</summary>
public enum ConfigOperation : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}

/// <summary>One requested change to one config of a resource.</summary>
public readonly record struct ConfigAlteration(string Name, ConfigOperation Operation, string? Value);

/// <summary>
/// The pure part of AlterConfigs and IncrementalAlterConfigs: request checks that need no state
/// (reported with INVALID_REQUEST, as Kafka's ConfigAdminManager does) and the application of
/// operations to a topic's current overrides (problems there are INVALID_CONFIG).
/// </summary>
public static class ConfigOperations
{
    /// <summary>
    /// Null when the alterations of one resource are well formed; otherwise why not. Duplicate names,
    /// null values on anything but DELETE, and unknown operation types are refused.
    /// </summary>
    public static string? CheckIncremental(IReadOnlyList<ConfigAlteration> alterations)
    {
        if (HasDuplicates(alterations.Select(a => a.Name)))
        {
            return "Error due to duplicate config keys";
        }
        var nulls = alterations.Where(a => a.Operation != ConfigOperation.Delete && a.Value is null).Select(a => a.Name).ToList();
        if (nulls.Count > 0)
        {
            return "Null value not supported for : " + string.Join(", ", nulls);
        }
        foreach (var alteration in alterations)
        {
            if (!Enum.IsDefined(alteration.Operation))
            {
                return $"Unknown config operation type {(sbyte)alteration.Operation} for config {alteration.Name}";
            }
        }
        return null;
    }

    /// <summary>Null when a legacy AlterConfigs resource is well formed: no duplicate names, no null values.</summary>
    public static string? CheckLegacy(IReadOnlyList<KeyValuePair<string, string?>> configs)
    {
        if (HasDuplicates(configs.Select(c => c.Key)))
        {
            return "Error due to duplicate config keys";
        }
        var nulls = configs.Where(c => c.Value is null).Select(c => c.Key).ToList();
        return nulls.Count > 0 ? "Null value not supported for : " + string.Join(", ", nulls) : null;
    }

    /// <summary>
    /// Applies <paramref name="alterations"/> to a topic's <paramref name="current"/> overrides. SET
    /// replaces, DELETE removes the override (a no-op when there is none), APPEND adds list items not
    /// already present and SUBTRACT removes them; both start from the effective value (the override,
    /// else the default) and are allowed only on LIST configs. The result is not yet validated.
    /// </summary>
    public static (Dictionary<string, string>? Overrides, string? Error) ApplyToTopic(
        IReadOnlyDictionary<string, string> current,
        IReadOnlyList<ConfigAlteration> alterations,
        ITopicConfigDefaults defaults)
    {
        var result = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var alteration in alterations)
        {
            switch (alteration.Operation)
            {
                case ConfigOperation.Set:
                    result[alteration.Name] = alteration.Value!;
                    break;
                case ConfigOperation.Delete:
                    result.Remove(alteration.Name);
                    break;
                case ConfigOperation.Append:
                case ConfigOperation.Subtract:
                    if (!TopicConfigs.ByName.TryGetValue(alteration.Name, out var definition) || definition.Type != ConfigType.List)
                    {
                        return (null, $"Can't {alteration.Operation.ToString().ToUpperInvariant()} to key {alteration.Name} because its type is not LIST.");
                    }
                    var items = Split(result.TryGetValue(alteration.Name, out var value) ? value : definition.Default(defaults));
                    foreach (var item in Split(alteration.Value))
                    {
                        if (alteration.Operation == ConfigOperation.Append)
                        {
                            if (!items.Contains(item, StringComparer.Ordinal))
                            {
                                items.Add(item);
                            }
                        }
                        else
                        {
                            items.RemoveAll(i => string.Equals(i, item, StringComparison.Ordinal));
                        }
                    }
                    result[alteration.Name] = string.Join(',', items);
                    break;
                default:
                    return (null, $"Unknown config operation type {(sbyte)alteration.Operation} for config {alteration.Name}");
            }
        }
        return (result, null);
    }

    private static List<string> Split(string? value) =>
        value is null ? [] : [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static bool HasDuplicates(IEnumerable<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return names.Any(n => !seen.Add(n));
    }
}
