namespace Kora.Raft.States;

/// <summary>Knows the epoch but not its leader; may hold its one vote of the epoch.</summary>
internal sealed class UnattachedState(int epoch, int votedId, long electionDeadline) : EpochState(epoch)
{
    public override RaftRole Role => RaftRole.Unattached;
    public override int VotedId => votedId;
    public long ElectionDeadline { get; } = electionDeadline;

    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) =>
        UnattachedOrProspectiveCanGrantVote(-1, votedId, candidateId, isLogUpToDate, isPreVote);
}
