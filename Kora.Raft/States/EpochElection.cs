namespace Kora.Raft.States;

/// <summary>The votes (or pre-votes) recorded from the voters in one election.</summary>
internal sealed class EpochElection
{
    private readonly IReadOnlyList<int> _voters;
    private readonly HashSet<int> _granted = [];
    private readonly HashSet<int> _rejected = [];

    public EpochElection(IReadOnlyList<int> voters, int localId)
    {
        _voters = voters;
        _granted.Add(localId);
    }

    private int Majority => _voters.Count / 2 + 1;

    public IReadOnlyCollection<int> GrantingVoters => _granted;

    public bool IsGranted => _granted.Count >= Majority;

    /// <summary>Too many rejections for a majority to remain possible.</summary>
    public bool IsRejected => _rejected.Count > _voters.Count - Majority;

    public void RecordGranted(int voterId)
    {
        if (_voters.Contains(voterId) && !_rejected.Contains(voterId))
        {
            _granted.Add(voterId);
        }
    }

    public void RecordRejected(int voterId)
    {
        if (_voters.Contains(voterId) && !_granted.Contains(voterId))
        {
            _rejected.Add(voterId);
        }
    }

    public IEnumerable<int> UnrecordedVoters => _voters.Where(v => !_granted.Contains(v) && !_rejected.Contains(v));
}
