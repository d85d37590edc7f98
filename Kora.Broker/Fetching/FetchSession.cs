namespace Kora.Broker.Fetching;

/// <summary>An incremental fetch session: its id, the epoch the next request must carry, and its partitions in order.</summary>
/// <remarks>
/// From v13 a partition is known by its topic id alone (KIP-516), so one whose id this broker did not know when
/// it joined the session keeps its place and gets its name once the metadata brings it; before v13 by its name.
/// </remarks>
public sealed class FetchSession(int id)
{
    private readonly Dictionary<(Guid TopicId, string Topic, int Partition), FetchSessionPartition> _partitions = [];
    private readonly List<FetchSessionPartition> _order = [];

    public int Id { get; } = id;

    /// <summary>A follower's session (Kafka's privileged session): consumers' sessions never evict it while it is in use.</summary>
    public bool Privileged { get; init; }

    /// <summary>When the session was created (<see cref="TimeProvider.GetTimestamp"/>): young sessions are safe from eviction by consumers.</summary>
    public long CreatedTicks { get; init; }
    public int NextEpoch { get; set; } = 1;
    public long LastUsedTicks { get; set; }
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public IReadOnlyList<FetchSessionPartition> Partitions => _order;

    public FetchSessionPartition Upsert(string topic, Guid topicId, int partition, bool byTopicId)
    {
        var key = Key(topic, topicId, partition, byTopicId);
        if (!_partitions.TryGetValue(key, out var entry))
        {
            entry = new FetchSessionPartition(topic, topicId, partition);
            _partitions.Add(key, entry);
            _order.Add(entry);
            _unnamed += Unnamed(entry) ? 1 : 0;
        }
        else if (Unnamed(entry) && topic.Length > 0)
        {
            entry.Topic = topic;
            _unnamed--;
        }
        return entry;
    }

    public void Remove(string topic, Guid topicId, int partition, bool byTopicId)
    {
        if (_partitions.Remove(Key(topic, topicId, partition, byTopicId), out var entry))
        {
            _order.Remove(entry);
            _unnamed -= Unnamed(entry) ? 1 : 0;
        }
    }

    /// <summary>Kafka's maybeResolveUnknownName: names the partitions whose topic id was unknown when they joined.</summary>
    public void ResolveUnknownNames(Kora.Metadata.MetadataImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        // Checked first: the lookup below is for the rare session that has such a partition, not for every fetch.
        if (_unnamed > 0)
        {
            ResolveUnknownNames(id => image.Topic(id)?.Name);
        }
    }

    public void ResolveUnknownNames(Func<Guid, string?> nameOf)
    {
        ArgumentNullException.ThrowIfNull(nameOf);
        foreach (var entry in _order)
        {
            if (Unnamed(entry) && nameOf(entry.TopicId) is { } name)
            {
                entry.Topic = name;
                _unnamed--;
            }
        }
    }

    /// <summary>Partitions named by a topic id this broker did not know when they joined; most sessions have none.</summary>
    private int _unnamed;

    private static bool Unnamed(FetchSessionPartition entry) => entry.Topic.Length == 0 && entry.TopicId != Guid.Empty;

    private static (Guid, string, int) Key(string topic, Guid topicId, int partition, bool byTopicId) =>
        byTopicId ? (topicId, "", partition) : (Guid.Empty, topic, partition);
}
