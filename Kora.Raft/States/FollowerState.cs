namespace Kora.Raft.States;

/// <summary>Knows the leader of the epoch and fetches from it.</summary>
internal sealed class FollowerState(int epoch, int leaderId, int votedId, long fetchDeadline) : EpochState(epoch)
{
    public override RaftRole Role => RaftRole.Follower;
    public override int LeaderId => leaderId;
    public override int VotedId => votedId;

    public long FetchDeadline { get; set; } = fetchDeadline;

    /// <summary>KIP-996: until a fetch succeeds the leader may be unreachable from here, so pre-votes are still granted.</summary>
    public bool HasFetchedFromLeader { get; set; }

    public SnapshotDownload? Snapshot { get; set; }

    /// <summary>
    /// When the leader's connection failed and no fetch has succeeded since: the time this voter stands for
    /// election without waiting out the fetch timeout. -1 while the leader answers.
    /// </summary>
    public long LeaderUnreachableDeadline { get; set; } = -1;

    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) =>
        isPreVote && !HasFetchedFromLeader && isLogUpToDate;
}
