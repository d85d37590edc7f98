namespace Kora.Raft.Quorum;

/// <summary>
/// What a replica must remember across restarts to keep Raft safe: the latest epoch it knows, the
/// leader of that epoch when known, and the candidate it voted for in it (-1 for none).
/// </summary>
public readonly record struct ElectionState(int Epoch, int LeaderId, int VotedId)
{
    public static ElectionState Initial => new(0, -1, -1);

    public bool HasLeader => LeaderId >= 0;
    public bool HasVoted => VotedId >= 0;
}
