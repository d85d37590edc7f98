using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.Log;
using Kora.Raft.Messages;
using Kora.Raft.Quorum;
using Kora.Raft.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Raft.Core;

/// <summary>
/// One replica of a KRaft-style metadata quorum (Kafka's KafkaRaftClient and QuorumState) as a
/// single-threaded deterministic state machine. It owns no thread, clock or I/O: the host calls
/// <see cref="Poll"/> with the current time and <see cref="Handle"/> with each arriving message, and
/// the core acts only through the injected log, quorum-state store, network and listener. Two cores
/// given the same inputs and the same seeded random source behave identically.
/// </summary>
public sealed partial class RaftCore
{
    private readonly RaftConfig _config;
    private readonly IRaftLog _log;
    private readonly IQuorumStateStore _store;
    private readonly IRaftNetwork _network;
    private readonly IRaftListener _listener;
    private readonly IRaftFlushScheduler? _flusher;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly RequestTracker _requests;
    private readonly List<ParkedFetch> _parked = [];
    private EpochState _state = null!;
    private int _nextCorrelationId;
    private long _now;
    private long _highWatermark;
    private long _nextDelivery;
    private long _flushDue = long.MaxValue;
    private RaftLogFlush? _flushInFlight;
    private (int LeaderId, int Epoch) _notifiedLeader = (-2, -1);

    public RaftCore(
        RaftConfig config, IRaftLog log, IQuorumStateStore store, IRaftNetwork network, IRaftListener listener, Random random, ILogger? logger = null, IRaftFlushScheduler? flusher = null)
    {
        config.Validate();
        _config = config;
        _log = log;
        _store = store;
        _network = network;
        _listener = listener;
        _flusher = flusher;
        _random = random;
        _logger = logger ?? NullLogger.Instance;
        _requests = new RequestTracker(config.RequestTimeoutMs, config.RetryBackoffMs);
    }

    public int NodeId => _config.NodeId;
    public bool IsVoter => _config.IsVoter;
    public RaftRole Role => _state.Role;
    public int Epoch => _state.Epoch;
    public int LeaderId => _state.LeaderId;
    public int VotedId => _state.VotedId;

    /// <summary>The committed end of the log as far as this replica knows.</summary>
    public long HighWatermark => _highWatermark;

    /// <summary>
    /// True once this follower or observer has had a fetch answered by the current leader: only then is
    /// <see cref="HighWatermark"/> the leader's, not what the local log vouched for at start.
    /// </summary>
    public bool HasFetchedFromLeader => _state is States.FollowerState { HasFetchedFromLeader: true };

    /// <summary>Every offset below this has been handed to the listener.</summary>
    public long DeliveredOffset => _nextDelivery;

    public RaftDiagnostics Diagnostics { get; } = new();

    /// <summary>
    /// Restores the election state (Kafka's QuorumState.initialize): a replica that led its last epoch
    /// comes back resigned, one that voted for itself comes back a candidate of that epoch, and an
    /// epoch older than the log's last epoch is raised to it.
    /// </summary>
    public void Initialize(long now)
    {
        _now = now;
        _nextCorrelationId = _random.Next();
        _highWatermark = _log.StartOffset;
        if (_log.RecoveryReport is { } report)
        {
            Log.LogRecovered(_logger, NodeId, report);
        }
        var election = _store.Read() ?? ElectionState.Initial;
        var self = NodeId;
        EpochState initial;
        if (election.Epoch < _log.LastFetchedEpoch)
        {
            initial = new UnattachedState(_log.LastFetchedEpoch, -1, ElectionDeadline());
        }
        else if (IsVoter && election.LeaderId == self)
        {
            initial = new ResignedState(election.Epoch, self, ElectionDeadline(), []);
        }
        else if (IsVoter && election.VotedId == self)
        {
            initial = new CandidateState(election.Epoch, new EpochElection(_config.Voters, self), ElectionDeadline(), 1);
        }
        else if (election.HasLeader && election.LeaderId != self)
        {
            initial = new FollowerState(election.Epoch, election.LeaderId, IsVoter ? election.VotedId : -1, now + _config.FetchTimeoutMs);
        }
        else
        {
            initial = new UnattachedState(election.Epoch, IsVoter ? election.VotedId : -1, ElectionDeadline());
        }
        DurableTransition(initial);
        Deliver();
    }

    /// <summary>Runs timers: elections, fetches, flushes, check-quorum. Returns when it next needs to run.</summary>
    public long Poll(long now)
    {
        _now = now;
        _requests.ExpireTimedOut(now);
        for (var i = 0; i < 4; i++)
        {
            var before = _state;
            switch (_state)
            {
                case UnattachedState unattached:
                    PollUnattached(unattached);
                    break;
                case ProspectiveState prospective:
                    PollProspective(prospective);
                    break;
                case CandidateState candidate:
                    PollCandidate(candidate);
                    break;
                case LeaderState leader:
                    PollLeader(leader);
                    break;
                case FollowerState follower:
                    PollFollower(follower);
                    break;
                case ResignedState resigned:
                    PollResigned(resigned);
                    break;
            }
            if (ReferenceEquals(before, _state))
            {
                break;
            }
        }
        Deliver();
        return NextDeadline();
    }

    /// <summary>Handles a request or response addressed to this replica.</summary>
    public void Handle(RaftMessage message, long now)
    {
        _now = now;
        if (message.Destination != NodeId)
        {
            return;
        }
        if (message.IsResponse)
        {
            if (_requests.TryComplete(message.Source, message.CorrelationId, out var request) && !HandleResponse(message, request))
            {
                _requests.BackOff(message.Source, now);
            }
        }
        else
        {
            var response = HandleRequest(message);
            if (response is not null)
            {
                SendResponse(message, response);
            }
        }
        Deliver();
    }

    /// <summary>
    /// The transport could not deliver a request, or lost it with its connection: Kafka's disconnected
    /// response. The destination is asked again after the retry backoff instead of the request timeout.
    /// </summary>
    public void OnRequestFailed(int destination, int correlationId, long now)
    {
        _now = now;
        if (_requests.TryComplete(destination, correlationId, out _))
        {
            _requests.BackOff(destination, now);
            // Only a leader this voter has fetched from: one still starting up (after a restart of the quorum) refuses
            // connections too, and electing around it would only churn.
            if (_state is FollowerState follower && IsVoter && destination == follower.LeaderId && follower.HasFetchedFromLeader
                && _config.UnreachableLeaderTimeoutMs > 0 && follower.LeaderUnreachableDeadline < 0)
            {
                follower.LeaderUnreachableDeadline = now + _config.UnreachableLeaderTimeoutMs + _random.Next(_config.UnreachableLeaderTimeoutMs + 1);
            }
        }
    }

    /// <summary>A background fsync handed to the <see cref="IRaftFlushScheduler"/> finished; call on the Raft thread.</summary>
    public void OnFlushCompleted(RaftLogFlush flush, long now)
    {
        _now = now;
        if (!ReferenceEquals(flush, _flushInFlight))
        {
            return;
        }
        _flushInFlight = null;
        _log.CompleteFlush(flush);
        if (_state is LeaderState leader)
        {
            OnLeaderLogFlushed(leader);
            if (_log.EndOffset > _log.FlushedOffset)
            {
                ScheduleFlush();
            }
        }
        Deliver();
    }

    /// <summary>
    /// Makes the log durable up to its end: inline without a flush scheduler (true: done), otherwise by
    /// starting a background fsync unless one runs already (false: wait for <see cref="OnFlushCompleted"/>).
    /// </summary>
    private bool FlushLog()
    {
        if (_flusher is null)
        {
            _log.Flush();
            return true;
        }
        if (_flushInFlight is null)
        {
            _flushInFlight = _log.PrepareFlush();
            _flusher.Schedule(_flushInFlight);
        }
        return false;
    }

    /// <summary>
    /// Appends records as one batch when this replica leads; returns the batch's base offset, or null
    /// when it does not lead. The records count once a majority of voters has them fsynced.
    /// </summary>
    public long? TryAppend(IReadOnlyList<ReadOnlyMemory<byte>> records, long now)
    {
        if (_state is not LeaderState leader || leader.ResignRequested || records.Count == 0)
        {
            return null;
        }
        _now = now;
        var baseOffset = _log.EndOffset;
        _log.Append(RaftBatches.BuildData(baseOffset, leader.Epoch, now, records));
        ScheduleFlush();
        return baseOffset;
    }

    /// <summary>
    /// Stores the application's snapshot of its state up to <paramref name="id"/> (an offset it has
    /// applied, at a batch end, with that batch's epoch) and deletes the log below it.
    /// </summary>
    public void CreateSnapshot(OffsetAndEpoch id, ReadOnlySpan<byte> content)
    {
        if (id.Offset > _nextDelivery || id.Offset > _highWatermark)
        {
            throw new ArgumentException($"Snapshot {id} is beyond the committed and applied offset {Math.Min(_nextDelivery, _highWatermark)}.", nameof(id));
        }
        if (id.Offset <= _log.StartOffset || _log.EpochOfBatchEndingAt(id.Offset) != id.Epoch)
        {
            throw new ArgumentException($"Snapshot {id} does not end at a batch of the log above its start {_log.StartOffset}.", nameof(id));
        }
        _log.CreateSnapshot(id, content);
    }

    /// <summary>Graceful shutdown of a leader: it resigns on the next poll and tells the voters with EndQuorumEpoch.</summary>
    public void Resign()
    {
        if (_state is LeaderState leader)
        {
            leader.ResignRequested = true;
        }
    }

    private long ElectionDeadline() => _now + _config.ElectionTimeoutMs + _random.Next(_config.ElectionTimeoutMs);

    private void ScheduleFlush()
    {
        if (_flushDue == long.MaxValue)
        {
            _flushDue = _now + _config.AppendLingerMs;
        }
    }

    private long NextDeadline()
    {
        var next = _requests.NextDeadline();
        next = Math.Min(next, _state switch
        {
            UnattachedState u => IsVoter ? u.ElectionDeadline : _now + _config.RetryBackoffMs,
            ProspectiveState p => p.ElectionDeadline,
            CandidateState c => c.BackoffUntil ?? c.ElectionDeadline,
            LeaderState l => Math.Min(Math.Min(_config.Voters.Count > 1 ? l.CheckQuorumDeadline : long.MaxValue, l.BeginQuorumEpochDue), Math.Min(_flushDue, ParkedDeadline())),
            FollowerState f => f.LeaderUnreachableDeadline >= 0 ? Math.Min(f.FetchDeadline, f.LeaderUnreachableDeadline) : f.FetchDeadline,
            ResignedState r => r.ElectionDeadline,
            _ => long.MaxValue,
        });
        return Math.Max(_now, next);
    }

    private long ParkedDeadline()
    {
        var next = long.MaxValue;
        foreach (var fetch in _parked)
        {
            next = Math.Min(next, fetch.Deadline);
        }
        return next;
    }

    private IKafkaMessage? HandleRequest(RaftMessage message) => message.Body switch
    {
        VoteRequest vote => HandleVoteRequest(vote, message.PreVote),
        BeginQuorumEpochRequest begin => HandleBeginQuorumEpochRequest(begin),
        EndQuorumEpochRequest end => HandleEndQuorumEpochRequest(end),
        FetchRequest fetch => HandleFetchRequest(message, fetch),
        FetchSnapshotRequest fetchSnapshot => HandleFetchSnapshotRequest(fetchSnapshot),
        DescribeQuorumRequest describe => HandleDescribeQuorumRequest(describe),
        _ => null,
    };

    private bool HandleResponse(RaftMessage message, InFlightRequest request) => message.Body switch
    {
        VoteResponse vote => HandleVoteResponse(message.Source, vote, request),
        BeginQuorumEpochResponse begin => HandleBeginQuorumEpochResponse(message.Source, begin),
        EndQuorumEpochResponse end => HandleEndQuorumEpochResponse(message.Source, end),
        FetchResponse fetch => HandleFetchResponse(message.Source, fetch),
        FetchSnapshotResponse fetchSnapshot => HandleFetchSnapshotResponse(message.Source, fetchSnapshot),
        _ => false,
    };

    private void SendRequest(int destination, short apiKey, IKafkaMessage body, bool preVote = false)
    {
        var correlationId = _nextCorrelationId++;
        _requests.OnSent(destination, new InFlightRequest(correlationId, apiKey, preVote, _now));
        _network.Send(new RaftMessage
        {
            Source = NodeId,
            Destination = destination,
            CorrelationId = correlationId,
            ApiKey = apiKey,
            ApiVersion = RaftApis.VersionOf(apiKey),
            IsResponse = false,
            Body = body,
            PreVote = preVote,
        });
    }

    private void SendResponse(RaftMessage request, IKafkaMessage body) => SendResponse(request.Source, request.CorrelationId, request.ApiKey, request.ApiVersion, body);

    private void SendResponse(int destination, int correlationId, short apiKey, short apiVersion, IKafkaMessage body) =>
        _network.Send(new RaftMessage
        {
            Source = NodeId,
            Destination = destination,
            CorrelationId = correlationId,
            ApiKey = apiKey,
            ApiVersion = apiVersion,
            IsResponse = true,
            Body = body,
        });

    private bool IsVoterId(int id) => _config.Voters.Contains(id);

    private bool HasValidClusterId(string? clusterId) => clusterId is null || _config.ClusterId is null || clusterId == _config.ClusterId;

    private static bool IsMetadataPartition(string? topic, int partition) => topic == RaftConfig.MetadataTopicName && partition == 0;
}
