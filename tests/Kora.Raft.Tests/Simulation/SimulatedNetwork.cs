using Kora.Raft.Messages;

namespace Kora.Raft.Tests.Simulation;

/// <summary>
/// Carries encoded messages between simulated nodes with random delay (hence reordering), loss,
/// duplication and partitions. Every message crosses the Kafka codecs both ways.
/// </summary>
public sealed class SimulatedNetwork(Random random)
{
    private readonly record struct InFlight(long DeliverAt, long Sequence, int From, int To, byte[] Frame);

    private readonly List<InFlight> _inFlight = [];
    private readonly Dictionary<int, int> _group = [];
    private long _sequence;

    public double LossRate { get; set; }
    public double DuplicateRate { get; set; }
    public int MinDelayMs { get; set; } = 1;
    public int MaxDelayMs { get; set; } = 10;
    public long Now { get; set; }
    public long Sent { get; private set; }

    public bool IsPartitioned => _group.Count > 0;

    public void Partition(IEnumerable<int> side, IEnumerable<int> all)
    {
        var sideSet = side.ToHashSet();
        foreach (var node in all)
        {
            _group[node] = sideSet.Contains(node) ? 1 : 0;
        }
    }

    public void Heal() => _group.Clear();

    public bool CanReach(int from, int to) =>
        _group.Count == 0 || _group.GetValueOrDefault(from) == _group.GetValueOrDefault(to);

    public IRaftNetwork EndpointFor(int nodeId) => new Endpoint(this, nodeId);

    private void Send(int from, RaftMessage message)
    {
        Sent++;
        if (!CanReach(from, message.Destination) || random.NextDouble() < LossRate)
        {
            return;
        }
        var frame = RaftCodec.Encode(message);
        var copies = random.NextDouble() < DuplicateRate ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            _inFlight.Add(new InFlight(Now + random.Next(MinDelayMs, MaxDelayMs + 1), _sequence++, from, message.Destination, frame));
        }
    }

    /// <summary>Messages due by now, in delivery order; those crossing a partition are lost.</summary>
    public List<(int To, RaftMessage Message)> TakeDue()
    {
        var due = _inFlight.Where(m => m.DeliverAt <= Now).OrderBy(m => m.DeliverAt).ThenBy(m => m.Sequence).ToList();
        if (due.Count == 0)
        {
            return [];
        }
        _inFlight.RemoveAll(m => m.DeliverAt <= Now);
        var result = new List<(int, RaftMessage)>(due.Count);
        foreach (var m in due)
        {
            if (CanReach(m.From, m.To))
            {
                result.Add((m.To, RaftCodec.Decode(m.Frame)));
            }
        }
        return result;
    }

    /// <summary>A crashed node's connections die with it: nothing it sent or was sent arrives.</summary>
    public void DropFor(int nodeId) => _inFlight.RemoveAll(m => m.From == nodeId || m.To == nodeId);

    private sealed class Endpoint(SimulatedNetwork network, int nodeId) : IRaftNetwork
    {
        public void Send(RaftMessage message) => network.Send(nodeId, message);
    }
}
