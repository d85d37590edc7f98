using System.Collections.Concurrent;

namespace Kora.Broker.Coordinators;

/// <summary>
/// The partitions of an internal topic (<c>__consumer_offsets</c>, <c>__transaction_state</c>) whose state is being
/// loaded; their groups or transactional ids answer COORDINATOR_LOAD_IN_PROGRESS meanwhile. Counted, not flagged:
/// leadership lost and regained during a load queues a second load, and the partition stays loading until both end.
/// </summary>
public sealed class LoadingPartitions
{
    private readonly ConcurrentDictionary<int, int> _loads = new();

    public bool IsLoading(int partition) => _loads.ContainsKey(partition);

    public void Begin(int partition) => _loads.AddOrUpdate(partition, 1, (_, count) => count + 1);

    public void End(int partition)
    {
        while (_loads.TryGetValue(partition, out var count))
        {
            if (count <= 1
                ? _loads.TryRemove(new KeyValuePair<int, int>(partition, count))
                : _loads.TryUpdate(partition, count - 1, count))
            {
                return;
            }
        }
    }
}
