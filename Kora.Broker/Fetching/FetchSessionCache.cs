using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Fetching;

/// <summary>
/// The broker's incremental fetch sessions, bounded by <c>max.incremental.fetch.session.cache.slots</c>, with
/// Kafka's eviction rules (KIP-227). When the cache is full, a session unused for
/// <c>min.incremental.fetch.session.eviction.ms</c> goes first. Otherwise a new session may take the place of the
/// least valuable evictable one (a consumer's before a follower's, then the one with fewer partitions) if it is
/// worth at least as much: a follower's new session may evict any consumer's, and any new session one created
/// longer than the eviction time ago. A client left without a session fetches in full, so replication keeps its
/// sessions however many consumers come and go.
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

    /// <summary>A new session for <paramref name="size"/> partitions, or null when the cache is full and nothing may be evicted for it.</summary>
    public FetchSession? Create(bool privileged = false, int size = 0)
    {
        if (_capacity <= 0)
        {
            return null;
        }
        lock (_admission)
        {
            var now = time.GetTimestamp();
            if (_sessions.Count >= _capacity && !TryEvict(privileged, size, now))
            {
                return null;
            }
            while (true)
            {
                var id = Random.Shared.Next(1, int.MaxValue);
                var session = new FetchSession(id) { LastUsedTicks = now, CreatedTicks = now, Privileged = privileged };
                if (_sessions.TryAdd(id, session))
                {
                    return session;
                }
            }
        }
    }

    public void Remove(int id) => _sessions.TryRemove(id, out _);

    /// <summary>Kafka's tryEvict. Walks the sessions in place (no snapshot): a refused client asks again on every fetch.</summary>
    private bool TryEvict(bool privileged, int size, long now)
    {
        FetchSession? leastRecentlyUsed = null;
        FetchSession? cheapest = null;
        foreach (var (_, session) in _sessions)
        {
            if (leastRecentlyUsed is null || session.LastUsedTicks < leastRecentlyUsed.LastUsedTicks)
            {
                leastRecentlyUsed = session;
            }
            // Kafka's evictableByPrivileged (consumers' sessions, or any old enough) and evictableByAll (old enough).
            var old = time.GetElapsedTime(session.CreatedTicks, now) > _evictionAfter;
            if ((old || (privileged && !session.Privileged)) && (cheapest is null || Compare(session, cheapest) < 0))
            {
                cheapest = session;
            }
        }
        if (leastRecentlyUsed is not null && time.GetElapsedTime(leastRecentlyUsed.LastUsedTicks, now) > _evictionAfter)
        {
            return _sessions.TryRemove(leastRecentlyUsed.Id, out _);
        }
        // Kafka's EvictableKey order: privilege, then size; the new session must be worth at least as much.
        return cheapest is not null
            && (privileged, size).CompareTo((cheapest.Privileged, cheapest.Partitions.Count)) >= 0
            && _sessions.TryRemove(cheapest.Id, out _);
    }

    private static int Compare(FetchSession a, FetchSession b) =>
        (a.Privileged, a.Partitions.Count, a.Id).CompareTo((b.Privileged, b.Partitions.Count, b.Id));
}
