using System.Globalization;

namespace Kora.Metadata.Configs;

/// <summary>One topic config: its type, the server setting that supplies its default, and its valid values.</summary>
public sealed record ConfigDefinition(
    string Name,
    ConfigType Type,
    Func<ITopicConfigDefaults, string> Default,
    string Documentation,
    string? BrokerSynonym = null,
    double? Min = null,
    double? Max = null,
    string[]? AllowedValues = null,
    Func<string, string, string?>? Validator = null)
{
    /// <summary>Null when <paramref name="value"/> is valid, otherwise why not (reported with INVALID_CONFIG).</summary>
    public string? Validate(string? value)
    {
        if (value is null)
        {
            return $"Invalid value null for configuration {Name}: value must not be null.";
        }
        switch (Type)
        {
            case ConfigType.Boolean:
                return bool.TryParse(value, out _) ? null : $"Invalid value {value} for configuration {Name}: Expected value to be either true or false";
            case ConfigType.Int:
            case ConfigType.Short:
            case ConfigType.Long:
                if (!long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                    || (Type == ConfigType.Int && (number < int.MinValue || number > int.MaxValue)))
                {
                    return $"Invalid value {value} for configuration {Name}: Not a number of type {Type.ToString().ToUpperInvariant()}";
                }
                return InRange(number, value);
            case ConfigType.Double:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? InRange(d, value)
                    : $"Invalid value {value} for configuration {Name}: Not a number of type DOUBLE";
            case ConfigType.List:
                if (AllowedValues is not null)
                {
                    var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    var bad = items.FirstOrDefault(i => !AllowedValues.Contains(i, StringComparer.OrdinalIgnoreCase));
                    if (bad is not null || items.Length == 0)
                    {
                        return $"Invalid value {value} for configuration {Name}: String must be one of: {string.Join(", ", AllowedValues)}";
                    }
                }
                return Validator?.Invoke(Name, value);
            default:
                if (AllowedValues is not null && !AllowedValues.Contains(value, StringComparer.Ordinal))
                {
                    return $"Invalid value {value} for configuration {Name}: String must be one of: {string.Join(", ", AllowedValues)}";
                }
                return null;
        }
    }

    private string? InRange(double number, string value)
    {
        if (Min is { } min && number < min)
        {
            return $"Invalid value {value} for configuration {Name}: Value must be at least {min.ToString(CultureInfo.InvariantCulture)}";
        }
        if (Max is { } max && number > max)
        {
            return $"Invalid value {value} for configuration {Name}: Value must be no more than {max.ToString(CultureInfo.InvariantCulture)}";
        }
        return null;
    }
}
