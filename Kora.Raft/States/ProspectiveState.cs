namespace Kora.Raft.States;

/// <summary>
/// KIP-996: asks the voters whether they would vote for it, without bumping the epoch. Only with a
/// majority of pre-votes does it become a candidate, so a replica cut off from the quorum cannot
/// drive the epoch up and depose a healthy leader when it returns.
/// </summary>
internal sealed class ProspectiveState(int epoch, int leaderId, int votedId, EpochElection election, long electionDeadline, int retries) : EpochState(epoch)
{
    public override RaftRole Role => RaftRole.Prospective;
    public override int LeaderId => leaderId;
    public override int VotedId => votedId;
    public EpochElection Votes { get; } = election;
    public long ElectionDeadline { get; } = electionDeadline;
    public int Retries { get; } = retries;

    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) =>
        UnattachedOrProspectiveCanGrantVote(leaderId, votedId, candidateId, isLogUpToDate, isPreVote);
}
