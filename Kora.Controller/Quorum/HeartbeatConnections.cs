namespace Kora.Controller.Quorum;

/// <summary>
/// The active controller's memory of which connection carries each broker's heartbeats. A broker killed
/// outright cannot heartbeat again, but the kernel closes its sockets at once: when the connection that
/// carried its heartbeats closes and no heartbeat arrives on another one within the grace, the broker is
/// dead and is fenced without waiting out its session. The grace lets a live broker that merely replaced
/// its connection heartbeat again first. Like <see cref="BrokerLeases"/> it is not in the metadata log and
/// is forgotten on every change of active controller, so only connections seen while active count.
/// </summary>
public sealed class HeartbeatConnections(int graceMs)
{
    private readonly Dictionary<int, Attachment> _byBroker = [];

    public int GraceMs => graceMs;

    /// <summary>A heartbeat of <paramref name="brokerId"/> (registered as <paramref name="brokerEpoch"/>) arrived on <paramref name="connection"/>.</summary>
    public void Attach(int brokerId, long brokerEpoch, object connection)
    {
        if (graceMs > 0)
        {
            _byBroker[brokerId] = new Attachment(connection, brokerEpoch, long.MaxValue);
        }
    }

    /// <summary>
    /// <paramref name="connection"/> closed at <paramref name="now"/>: every broker whose latest heartbeat
    /// came on it is due for fencing after the grace unless it heartbeats again meanwhile.
    /// </summary>
    public void Closed(object connection, long now)
    {
        List<int>? closed = null;
        foreach (var (brokerId, attachment) in _byBroker)
        {
            if (ReferenceEquals(attachment.Connection, connection) && attachment.Deadline == long.MaxValue)
            {
                (closed ??= []).Add(brokerId);
            }
        }
        foreach (var brokerId in closed ?? [])
        {
            _byBroker[brokerId] = _byBroker[brokerId] with { Deadline = now + graceMs };
        }
    }

    /// <summary>Removes and returns the brokers whose heartbeat connection closed more than the grace ago, with the epoch that heartbeated on it.</summary>
    public List<(int BrokerId, long BrokerEpoch)> TakeDue(long now)
    {
        List<(int, long)>? due = null;
        foreach (var (brokerId, attachment) in _byBroker)
        {
            if (attachment.Deadline <= now)
            {
                (due ??= []).Add((brokerId, attachment.BrokerEpoch));
            }
        }
        if (due is null)
        {
            return [];
        }
        foreach (var (brokerId, _) in due)
        {
            _byBroker.Remove(brokerId);
        }
        return due;
    }

    /// <summary>When the next grace runs out, or <see cref="long.MaxValue"/>.</summary>
    public long NextDeadline()
    {
        var next = long.MaxValue;
        foreach (var attachment in _byBroker.Values)
        {
            next = Math.Min(next, attachment.Deadline);
        }
        return next;
    }

    public void Clear() => _byBroker.Clear();

    private readonly record struct Attachment(object Connection, long BrokerEpoch, long Deadline);
}
