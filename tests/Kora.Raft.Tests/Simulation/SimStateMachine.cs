using System.Text;
using Kora.Raft.Log;

namespace Kora.Raft.Tests.Simulation;

/// <summary>
/// The replicated state machine of a simulated node: the list of applied records. Its snapshot is
/// that list, so loading one is checked against the committed history like applying records is.
/// </summary>
public sealed class SimStateMachine(int nodeId, CommittedHistory history, Action<string> trace, Func<int> nodeEpoch) : IRaftListener
{
    private readonly List<(long Offset, int Epoch, string Payload)> _applied = [];

    public long NextOffset { get; private set; }
    public OffsetAndEpoch? LastBatchEnd { get; private set; }
    public int LeaderId { get; private set; } = -1;
    public int LeaderEpoch { get; private set; } = -1;
    public HashSet<string> AppliedPayloads { get; } = [];

    public void OnCommit(RaftBatch batch)
    {
        if (batch.BaseOffset != NextOffset)
        {
            throw new SimulationFailure($"node {nodeId} was handed batch at {batch.BaseOffset} while expecting {NextOffset}");
        }
        if (batch.IsControl)
        {
            Apply(batch.BaseOffset, batch.Epoch, "control");
        }
        else
        {
            var values = batch.Values();
            for (var i = 0; i < values.Count; i++)
            {
                Apply(batch.BaseOffset + i, batch.Epoch, Encoding.UTF8.GetString(values[i].Span));
            }
        }
        NextOffset = batch.EndOffset;
        LastBatchEnd = new OffsetAndEpoch(batch.EndOffset, batch.Epoch);
    }

    private void Apply(long offset, int epoch, string payload)
    {
        history.Observe(nodeId, offset, epoch, payload, nodeEpoch());
        _applied.Add((offset, epoch, payload));
        AppliedPayloads.Add(payload);
    }

    public void OnLoadSnapshot(OffsetAndEpoch id, ReadOnlyMemory<byte> content)
    {
        var entries = Decode(content.Span);
        if (entries.Count != id.Offset || entries.Any(e => e.Offset >= id.Offset))
        {
            throw new SimulationFailure($"node {nodeId} got snapshot {id} holding {entries.Count} records");
        }
        _applied.Clear();
        AppliedPayloads.Clear();
        foreach (var (offset, epoch, payload) in entries)
        {
            Apply(offset, epoch, payload);
        }
        NextOffset = id.Offset;
        LastBatchEnd = null;
        trace($"node {nodeId} loaded snapshot {id}");
    }

    public void OnLeaderChange(int leaderId, int epoch)
    {
        LeaderId = leaderId;
        LeaderEpoch = epoch;
    }

    public byte[] Snapshot()
    {
        var text = string.Join('\n', _applied.Select(a => $"{a.Offset}\t{a.Epoch}\t{a.Payload}"));
        return Encoding.UTF8.GetBytes(text);
    }

    private static List<(long Offset, int Epoch, string Payload)> Decode(ReadOnlySpan<byte> content)
    {
        var result = new List<(long, int, string)>();
        if (content.IsEmpty)
        {
            return result;
        }
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n'))
        {
            var parts = line.Split('\t');
            result.Add((long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]));
        }
        return result;
    }
}
