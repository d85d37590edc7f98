namespace Kora.Controller.Quorum;

/// <summary>
/// The active controller's memory of when each broker last heartbeated (Kafka's BrokerHeartbeatManager).
/// It is not in the metadata log: a new active controller grants every broker a fresh lease, so a
/// failover never fences a broker that was heartbeating to the old one.
/// </summary>
public sealed class BrokerLeases(int sessionTimeoutMs)
{
    private readonly Dictionary<int, long> _lastContact = [];

    public int SessionTimeoutMs => sessionTimeoutMs;

    public void Touch(int brokerId, long now) => _lastContact[brokerId] = now;

    public void Forget(int brokerId) => _lastContact.Remove(brokerId);

    public void Reset(IEnumerable<int> brokers, long now)
    {
        _lastContact.Clear();
        foreach (var broker in brokers)
        {
            _lastContact[broker] = now;
        }
    }

    public bool HasValidLease(int brokerId, long now) =>
        _lastContact.TryGetValue(brokerId, out var last) && now - last < sessionTimeoutMs;

    /// <summary>Brokers among <paramref name="candidates"/> whose lease ran out.</summary>
    public List<int> Expired(IEnumerable<int> candidates, long now) =>
        candidates.Where(b => !_lastContact.TryGetValue(b, out var last) || now - last >= sessionTimeoutMs).ToList();

    /// <summary>When the next lease among <paramref name="candidates"/> runs out.</summary>
    public long NextExpiry(IEnumerable<int> candidates)
    {
        var next = long.MaxValue;
        foreach (var broker in candidates)
        {
            if (_lastContact.TryGetValue(broker, out var last))
            {
                next = Math.Min(next, last + sessionTimeoutMs);
            }
        }
        return next;
    }
}
