namespace Kora.Broker.Fetching;

/// <summary>An incremental fetch session: its id, the epoch the next request must carry, and its partitions in order.</summary>
public sealed class FetchSession(int id)
{
    private readonly Dictionary<(Guid TopicId, string Topic, int Partition), FetchSessionPartition> _partitions = [];
    private readonly List<FetchSessionPartition> _order = [];

    public int Id { get; } = id;
    public int NextEpoch { get; set; } = 1;
    public long LastUsedTicks { get; set; }
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public IReadOnlyList<FetchSessionPartition> Partitions => _order;

    public FetchSessionPartition Upsert(string topic, Guid topicId, int partition)
    {
        var key = (topicId, topic, partition);
        if (!_partitions.TryGetValue(key, out var entry))
        {
            entry = new FetchSessionPartition(topic, topicId, partition);
            _partitions.Add(key, entry);
            _order.Add(entry);
        }
        return entry;
    }

    public void Remove(string topic, Guid topicId, int partition)
    {
        if (_partitions.Remove((topicId, topic, partition), out var entry))
        {
            _order.Remove(entry);
        }
    }
}
