namespace Kora.Raft.States;

/// <summary>
/// A leader that gave up its epoch (shutdown, check-quorum, or a restart after leading): it tells the
/// voters with EndQuorumEpoch and never leads this epoch again, so no two different records can share
/// an offset and epoch even if its unflushed tail was lost.
/// </summary>
internal sealed class ResignedState(int epoch, int localId, long electionDeadline, IReadOnlyList<int> preferredSuccessors) : EpochState(epoch)
{
    public override RaftRole Role => RaftRole.Resigned;
    public override int LeaderId => localId;
    public override int VotedId => localId;
    public long ElectionDeadline { get; } = electionDeadline;
    public IReadOnlyList<int> PreferredSuccessors { get; } = preferredSuccessors;
    public HashSet<int> Acknowledged { get; } = [];

    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) => false;
}
