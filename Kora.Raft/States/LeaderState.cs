namespace Kora.Raft.States;

/// <summary>
/// Leads the epoch: tracks every replica's fetch offset, advances the high watermark by the voters'
/// majority, and checks that a majority still follows it (check-quorum).
/// </summary>
internal sealed class LeaderState : EpochState
{
    private readonly int _localId;
    private readonly IReadOnlyList<int> _voters;
    private readonly HashSet<int> _fetchedVoters = [];

    public LeaderState(int epoch, int localId, long epochStartOffset, IReadOnlyList<int> voters, IReadOnlyCollection<int> grantingVoters, long now, int checkQuorumTimeoutMs)
        : base(epoch)
    {
        _localId = localId;
        _voters = voters;
        EpochStartOffset = epochStartOffset;
        GrantingVoters = grantingVoters.Order().ToList();
        CheckQuorumTimeoutMs = checkQuorumTimeoutMs;
        CheckQuorumDeadline = now + checkQuorumTimeoutMs;
        foreach (var voter in voters)
        {
            VoterProgress[voter] = new ReplicaProgress(voter);
        }
    }

    public override RaftRole Role => RaftRole.Leader;
    public override int LeaderId => _localId;
    public override int VotedId => _localId;

    public long EpochStartOffset { get; }
    public IReadOnlyList<int> GrantingVoters { get; }
    public int CheckQuorumTimeoutMs { get; }
    public long CheckQuorumDeadline { get; private set; }

    /// <summary>-1 until a majority holds an entry of this epoch: a new leader never exposes an older high watermark.</summary>
    public long HighWatermark { get; set; } = -1;

    public Dictionary<int, ReplicaProgress> VoterProgress { get; } = [];
    public Dictionary<int, ReplicaProgress> ObserverProgress { get; } = [];

    /// <summary>Voters that answered BeginQuorumEpoch or fetched: they know this leader.</summary>
    public HashSet<int> Acknowledged { get; } = [];

    public long BeginQuorumEpochDue { get; set; }

    public bool ResignRequested { get; set; }

    public override bool CanGrantVote(int candidateId, bool isLogUpToDate, bool isPreVote) => false;

    /// <summary>Kafka's updateCheckQuorumForFollowingVoter: a majority (counting the leader) fetched since the last reset.</summary>
    public void RecordFetchFromVoter(int voterId, long now)
    {
        if (voterId == _localId || !VoterProgress.ContainsKey(voterId))
        {
            return;
        }
        _fetchedVoters.Add(voterId);
        var needed = _voters.Count / 2 + 1 - 1;
        if (_fetchedVoters.Count >= needed)
        {
            _fetchedVoters.Clear();
            CheckQuorumDeadline = now + CheckQuorumTimeoutMs;
        }
    }

    public bool CheckQuorumExpired(long now) => _voters.Count > 1 && now >= CheckQuorumDeadline;

    /// <summary>
    /// The offset a majority of voters has (the leader counting its fsynced end), if it is above the
    /// epoch start (an entry of this epoch is then committed) and above the current high watermark.
    /// </summary>
    public bool TryAdvanceHighWatermark(long localFlushedOffset)
    {
        Span<long> offsets = stackalloc long[_voters.Count];
        for (var i = 0; i < _voters.Count; i++)
        {
            offsets[i] = _voters[i] == _localId ? localFlushedOffset : VoterProgress[_voters[i]].EndOffset;
        }
        offsets.Sort();
        offsets.Reverse();
        var majorityOffset = offsets[_voters.Count / 2];
        if (majorityOffset > EpochStartOffset && majorityOffset > HighWatermark)
        {
            HighWatermark = majorityOffset;
            return true;
        }
        return false;
    }

    /// <summary>The other voters, most caught up first: the preferred successors on resignation.</summary>
    public List<int> OtherVotersByDescendingOffset() =>
        VoterProgress.Values.Where(p => p.ReplicaId != _localId).OrderByDescending(p => p.EndOffset).ThenBy(p => p.ReplicaId).Select(p => p.ReplicaId).ToList();
}
