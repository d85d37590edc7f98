namespace Kora.Raft.States;

/// <summary>Bumped the epoch and voted for itself; collects binding votes.</summary>
internal sealed class CandidateState(int epoch, EpochElection votes, long electionDeadline, int retries) : EpochState(epoch)
{
    private readonly int _localId = votes.GrantingVoters.First();

    public override RaftRole Role => RaftRole.Candidate;
    public override int VotedId => _localId;
    public EpochElection Votes { get; } = votes;
    public long ElectionDeadline { get; } = electionDeadline;
    public int Retries { get; } = retries;

    /// <summary>Set once the election is lost or timed out: the random pause before the next pre-vote round.</summary>
    public long? BackoffUntil { get; set; }

    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) => isPreVote && isLogUpToDate;
}
