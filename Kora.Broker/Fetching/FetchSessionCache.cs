using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Fetching;

/// <summary>
/// The broker's incremental fetch sessions, bounded by <c>max.incremental.fetch.session.cache.slots</c>;
/// when full, the least recently used session is evicted and its client falls back to a full fetch.
/// </summary>
public sealed class FetchSessionCache(IOptions<BrokerOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<int, FetchSession> _sessions = new();
    private readonly int _capacity = options.Value.MaxIncrementalFetchSessionCacheSlots;

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

    public FetchSession? Create()
    {
        if (_capacity <= 0)
        {
            return null;
        }
        if (_sessions.Count >= _capacity)
        {
            var oldest = _sessions.Values.MinBy(s => s.LastUsedTicks);
            if (oldest is not null)
            {
                _sessions.TryRemove(oldest.Id, out _);
            }
        }
        while (true)
        {
            var id = Random.Shared.Next(1, int.MaxValue);
            var session = new FetchSession(id) { LastUsedTicks = time.GetTimestamp() };
            if (_sessions.TryAdd(id, session))
            {
                return session;
            }
        }
    }

    public void Remove(int id) => _sessions.TryRemove(id, out _);
}
