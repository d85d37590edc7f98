namespace Kora.Raft.Tests.Simulation;

/// <summary>
/// Every committed record any node has applied, by offset. A record seen once must be seen the same
/// way by everyone, forever: that is "a committed entry is never lost or changed" and "all state
/// machines apply the same prefix" at once.
/// </summary>
public sealed class CommittedHistory
{
    private readonly Dictionary<long, (int Epoch, string Payload)> _records = [];

    public long End { get; private set; }

    public int Count => _records.Count;

    public bool TryGet(long offset, out (int Epoch, string Payload) record) => _records.TryGetValue(offset, out record);

    public void Observe(int nodeId, long offset, int epoch, string payload)
    {
        if (_records.TryGetValue(offset, out var known))
        {
            if (known.Epoch != epoch || known.Payload != payload)
            {
                throw new SimulationFailure($"node {nodeId} applied ({offset}, epoch {epoch}, '{payload}') but ({offset}, epoch {known.Epoch}, '{known.Payload}') was committed");
            }
            return;
        }
        _records[offset] = (epoch, payload);
        End = Math.Max(End, offset + 1);
    }
}
