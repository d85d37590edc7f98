namespace Kora.Raft.Log;

/// <summary>What the leader makes of a follower's fetch position (Kafka's ValidOffsetAndEpoch).</summary>
public readonly record struct ValidOffsetAndEpoch(ValidOffsetAndEpoch.Kinds Kind, OffsetAndEpoch OffsetAndEpoch)
{
    public enum Kinds
    {
        /// <summary>The follower's log matches ours up to the fetch offset: send records.</summary>
        Valid,
        /// <summary>The follower's last epoch ends earlier here: it must truncate to this end offset.</summary>
        Diverging,
        /// <summary>The fetch offset is below our log start: the follower must fetch this snapshot.</summary>
        Snapshot,
    }
}
