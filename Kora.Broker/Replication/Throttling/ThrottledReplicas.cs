using System.Globalization;

namespace Kora.Broker.Replication.Throttling;

/// <summary>
/// Kafka's parseThrottledPartitions: from a topic's <c>*.replication.throttled.replicas</c> value, the partitions
/// whose replica on this broker is throttled: every one for <c>*</c>, else those listed as
/// <c>partition:thisBroker</c>. Entries naming other brokers, and malformed ones, are ignored.
/// </summary>
internal sealed class ThrottledReplicas
{
    private readonly HashSet<int> _partitions;

    private ThrottledReplicas(bool all, HashSet<int> partitions)
    {
        All = all;
        _partitions = partitions;
    }

    public bool All { get; }

    public bool Contains(int partition) => All || _partitions.Contains(partition);

    /// <summary>The throttled partitions for <paramref name="brokerId"/>, or null when none is.</summary>
    public static ThrottledReplicas? Parse(string? value, int brokerId)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (value.Trim() == "*")
        {
            return new ThrottledReplicas(true, []);
        }
        var partitions = new HashSet<int>();
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0
                && int.TryParse(entry.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                && int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var broker)
                && broker == brokerId)
            {
                partitions.Add(partition);
            }
        }
        return partitions.Count == 0 ? null : new ThrottledReplicas(false, partitions);
    }
}
