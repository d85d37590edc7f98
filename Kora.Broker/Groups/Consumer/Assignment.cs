using System.Collections.Immutable;

namespace Kora.Broker.Groups.Consumer;

/// <summary>Partitions by topic id, immutable and compared by content. Topics without partitions are never kept.</summary>
public sealed class Assignment : IEquatable<Assignment>
{
    public static Assignment Empty { get; } = new(ImmutableSortedDictionary<Guid, ImmutableSortedSet<int>>.Empty);

    private Assignment(ImmutableSortedDictionary<Guid, ImmutableSortedSet<int>> topics)
    {
        Topics = topics;
        Count = topics.Values.Sum(p => p.Count);
    }

    public ImmutableSortedDictionary<Guid, ImmutableSortedSet<int>> Topics { get; }

    public int Count { get; }

    public bool IsEmpty => Count == 0;

    public static Assignment From(IEnumerable<(Guid Topic, int Partition)> partitions)
    {
        var builder = new SortedDictionary<Guid, SortedSet<int>>();
        foreach (var (topic, partition) in partitions)
        {
            if (!builder.TryGetValue(topic, out var set))
            {
                builder[topic] = set = [];
            }
            set.Add(partition);
        }
        return builder.Count == 0
            ? Empty
            : new(builder.ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value.ToImmutableSortedSet()));
    }

    public static Assignment From(IEnumerable<OwnedTopicPartitions> topics) =>
        From(topics.SelectMany(t => t.Partitions.Select(p => (t.TopicId, p))));

    public bool Contains(Guid topic, int partition) => Topics.TryGetValue(topic, out var set) && set.Contains(partition);

    public ImmutableSortedSet<int> Partitions(Guid topic) => Topics.GetValueOrDefault(topic) ?? [];

    public IEnumerable<(Guid Topic, int Partition)> All() => Topics.SelectMany(t => t.Value.Select(p => (t.Key, p)));

    public bool Equals(Assignment? other) =>
        other is not null && (ReferenceEquals(this, other) || (Count == other.Count
            && Topics.Count == other.Topics.Count
            && Topics.All(t => other.Topics.TryGetValue(t.Key, out var set) && set.SetEquals(t.Value))));

    public override bool Equals(object? obj) => Equals(obj as Assignment);

    public override int GetHashCode() => HashCode.Combine(Count, Topics.Count);

    public override string ToString() => string.Join(", ", Topics.Select(t => $"{t.Key}:[{string.Join(',', t.Value)}]"));
}
