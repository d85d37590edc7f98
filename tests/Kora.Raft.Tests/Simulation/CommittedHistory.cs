namespace Kora.Raft.Tests.Simulation;

/// <summary>
/// Every committed record any node has applied, by offset. A record seen once must be seen the same
/// way by everyone, forever: that is "a committed entry is never lost or changed" and "all state
/// machines apply the same prefix" at once.
/// </summary>
public sealed class CommittedHistory
{
    private readonly Dictionary<long, (int Epoch, string Payload)> _records = [];
    private readonly Dictionary<long, int> _committedBy = [];

    public long End { get; private set; }

    public int Count => _records.Count;

    public bool TryGet(long offset, out (int Epoch, string Payload) record) => _records.TryGetValue(offset, out record);

    /// <summary>
    /// An epoch no lower than the one the record was committed in: the lowest epoch a node was in when it applied it
    /// (a node learns of a commit from the leader of its epoch or an earlier one). Leader completeness binds the
    /// leaders of later epochs only.
    /// </summary>
    public int CommittedByEpochAtMost(long offset) => _committedBy.GetValueOrDefault(offset, int.MaxValue);

    public void Observe(int nodeId, long offset, int epoch, string payload, int observerEpoch)
    {
        _committedBy[offset] = Math.Min(_committedBy.GetValueOrDefault(offset, int.MaxValue), observerEpoch);
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
