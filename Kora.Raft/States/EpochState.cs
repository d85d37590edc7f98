using Kora.Raft.Quorum;

namespace Kora.Raft.States;

/// <summary>The state of a replica within one epoch (Kafka's EpochState); exactly one is current.</summary>
internal abstract class EpochState(int epoch)
{
    public int Epoch { get; } = epoch;

    public abstract RaftRole Role { get; }

    /// <summary>The leader of this epoch when known, -1 otherwise.</summary>
    public virtual int LeaderId => -1;

    /// <summary>The candidate this replica voted for in this epoch, -1 for none.</summary>
    public virtual int VotedId => -1;

    public ElectionState Election => new(Epoch, LeaderId, VotedId);

    public abstract bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote);

    public override string ToString() => $"{Role}(epoch {Epoch}, leader {LeaderId}, voted {VotedId})";

    /// <summary>Kafka's unattachedOrProspectiveCanGrantVote: one binding vote per epoch, never once a leader is known.</summary>
    protected static bool UnattachedOrProspectiveCanGrantVote(int leaderId, int votedId, int candidateId, bool isLogUpToDate, bool isPreVote)
    {
        if (isPreVote)
        {
            return isLogUpToDate;
        }
        if (votedId >= 0)
        {
            return votedId == candidateId;
        }
        return leaderId < 0 && isLogUpToDate;
    }
}
