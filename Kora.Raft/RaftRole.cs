namespace Kora.Raft;

/// <summary>The roles of KRaft's QuorumState (Kafka 4, with KIP-996 pre-vote).</summary>
public enum RaftRole
{
    /// <summary>Knows an epoch but no leader; may have cast its one vote of the epoch.</summary>
    Unattached,
    /// <summary>Asks for pre-votes without bumping the epoch, so an isolated node cannot disrupt a healthy quorum.</summary>
    Prospective,
    /// <summary>Bumped the epoch, voted for itself and asks for binding votes.</summary>
    Candidate,
    Leader,
    Follower,
    /// <summary>A former leader of the current epoch: it never leads this epoch again and tells the voters so.</summary>
    Resigned,
}
