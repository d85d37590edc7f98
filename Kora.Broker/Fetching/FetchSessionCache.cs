using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Fetching;

/// <summary>
/// The broker's incremental fetch sessions, bounded by <c>max.incremental.fetch.session.cache.slots</c>, with
/// Kafka's eviction rules (KIP-227): when full, a session unused for
/// <c>min.incremental.fetch.session.eviction.ms</c> goes first; otherwise only a follower's new session may take
/// a place, from the consumer session with the fewest partitions. A client left without a session fetches in
/// full, so replication keeps its sessions however many consumers come and go.
/// </summary>
public sealed class FetchSessionCache(IOptions<BrokerOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<int, FetchSession> _sessions = new();
    private readonly Lock _admission = new();
    private readonly int _capacity = options.Value.MaxIncrementalFetchSessionCacheSlots;
    private readonly TimeSpan _evictionAfter = TimeSpan.FromMilliseconds(options.Value.MinIncrementalFetchSessionEvictionMs);

    public int Count => _sessions.Count;

    public FetchSession? Get(int id)
    {
        if (_sessions.TryGetValue(id, out var session))
        {
            session.LastUsedTicks = time.GetTimestamp();
            return session;
        }
        return null;
    }

    /// <summary>A new session, or null when the cache is full and nothing may be evicted for it.</summary>
    public FetchSession? Create(bool privileged = false)
    {
        if (_capacity <= 0)
        {
            return null;
        }
        lock (_admission)
        {
            if (_sessions.Count >= _capacity && !TryEvict(privileged))
            {
                return null;
            }
            while (true)
            {
                var id = Random.Shared.Next(1, int.MaxValue);
                var session = new FetchSession(id) { LastUsedTicks = time.GetTimestamp(), Privileged = privileged };
                if (_sessions.TryAdd(id, session))
                {
                    return session;
                }
            }
        }
    }

    public void Remove(int id) => _sessions.TryRemove(id, out _);

    /// <summary>Kafka's tryEvict: the least recently used session if it is stale, else (for a follower) the smallest consumer session.</summary>
    private bool TryEvict(bool privileged)
    {
        var now = time.GetTimestamp();
        FetchSession? leastRecentlyUsed = null;
        FetchSession? smallestConsumer = null;
        foreach (var session in _sessions.Values)
        {
            if (leastRecentlyUsed is null || session.LastUsedTicks < leastRecentlyUsed.LastUsedTicks)
            {
                leastRecentlyUsed = session;
            }
            if (!session.Privileged && (smallestConsumer is null
                || session.Partitions.Count < smallestConsumer.Partitions.Count
                || (session.Partitions.Count == smallestConsumer.Partitions.Count && session.LastUsedTicks < smallestConsumer.LastUsedTicks)))
            {
                smallestConsumer = session;
            }
        }
        var victim = leastRecentlyUsed is not null && time.GetElapsedTime(leastRecentlyUsed.LastUsedTicks, now) >= _evictionAfter ? leastRecentlyUsed
            : privileged ? smallestConsumer
            : null;
        return victim is not null && _sessions.TryRemove(victim.Id, out _);
    }
}
