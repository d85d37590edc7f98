using Kora.Raft.Log;

namespace Kora.Raft;

/// <summary>The replicated state machine: told of committed batches in offset order, snapshots and leadership.</summary>
public interface IRaftListener
{
    /// <summary>A committed batch; batches arrive exactly once per process lifetime and in order.</summary>
    void OnCommit(RaftBatch batch);

    /// <summary>Replace the state with this snapshot: it covers every offset below <paramref name="id"/>'s offset.</summary>
    void OnLoadSnapshot(OffsetAndEpoch id, ReadOnlyMemory<byte> content);

    /// <summary>
    /// The leader (or -1) of a new epoch. A replica learns it leads only once every entry of earlier
    /// epochs has been delivered, so it acts as leader on complete state.
    /// </summary>
    void OnLeaderChange(int leaderId, int epoch);
}
