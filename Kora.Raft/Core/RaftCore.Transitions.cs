using Kora.Protocol.Primitives;
using Kora.Raft.Log;
using Kora.Raft.States;

namespace Kora.Raft.Core;

public sealed partial class RaftCore
{
    /// <summary>Persists the new election state (fsynced) before anything acts on it, then switches to it.</summary>
    private void DurableTransition(EpochState state)
    {
        _store.Write(state.Election);
        MemoryTransition(state);
    }

    private void MemoryTransition(EpochState state)
    {
        var old = _state;
        _state = state;
        _requests.Reset();
        if (old is LeaderState)
        {
            AnswerParkedFetches(expiredOnly: false);
        }
        Log.Transition(_logger, NodeId, old?.ToString() ?? "start", state.ToString());
    }

    /// <summary>A higher epoch without a known leader, or the same epoch coming back from a lost pre-vote.</summary>
    private void TransitionToUnattached(int epoch, long? electionDeadline = null)
    {
        var votedId = epoch == _state.Epoch ? _state.VotedId : -1;
        var deadline = IsVoter ? electionDeadline ?? ElectionDeadline() : long.MaxValue;
        DurableTransition(new UnattachedState(epoch, votedId, deadline));
    }

    private void TransitionToFollower(int epoch, int leaderId)
    {
        var votedId = epoch == _state.Epoch ? _state.VotedId : -1;
        DurableTransition(new FollowerState(epoch, leaderId, votedId, _now + _config.FetchTimeoutMs));
    }

    private void TransitionToProspective()
    {
        var retries = _state is CandidateState candidate ? candidate.Retries + 1 : 1;
        var election = new EpochElection(_config.Voters, NodeId);
        // The election state on disk does not change: a pre-vote is not binding.
        MemoryTransition(new ProspectiveState(_state.Epoch, _state.LeaderId, _state.VotedId, election, ElectionDeadline(), retries));
        if (election.IsGranted)
        {
            TransitionToCandidate();
        }
    }

    private void TransitionToCandidate()
    {
        var retries = _state is ProspectiveState prospective ? prospective.Retries : 1;
        var election = new EpochElection(_config.Voters, NodeId);
        DurableTransition(new CandidateState(_state.Epoch + 1, election, ElectionDeadline(), retries));
        if (election.IsGranted)
        {
            TransitionToLeader();
        }
    }

    /// <summary>
    /// Wins the epoch: the leader's first act is a LeaderChange control batch at the epoch start, and
    /// nothing counts as committed until a majority holds an entry of this epoch.
    /// </summary>
    private void TransitionToLeader()
    {
        var candidate = (CandidateState)_state;
        var epochStart = _log.EndOffset;
        var leader = new LeaderState(candidate.Epoch, NodeId, epochStart, _config.Voters, candidate.Votes.GrantingVoters, _now, _config.CheckQuorumTimeoutMs)
        {
            BeginQuorumEpochDue = _now,
        };
        DurableTransition(leader);
        _log.Append(RaftBatches.BuildLeaderChange(epochStart, leader.Epoch, _now, NodeId, _config.Voters, leader.GrantingVoters));
        ScheduleFlush();
    }

    private void TransitionToResigned(List<int> preferredSuccessors)
    {
        MemoryTransition(new ResignedState(_state.Epoch, NodeId, ElectionDeadline(), preferredSuccessors));
    }

    /// <summary>Kafka's hasConsistentLeader: a message may not name a different leader for an epoch whose leader is known.</summary>
    private bool HasConsistentLeader(int epoch, int leaderId)
    {
        if (leaderId >= 0 && leaderId == NodeId)
        {
            return epoch == _state.Epoch && _state.LeaderId == NodeId;
        }
        return epoch != _state.Epoch || leaderId < 0 || _state.LeaderId < 0 || leaderId == _state.LeaderId;
    }

    /// <summary>Moves to a newer epoch, or learns the leader of the current one (Kafka's maybeTransition). False when the message is inconsistent.</summary>
    private bool MaybeTransition(int leaderId, int epoch)
    {
        if (!HasConsistentLeader(epoch, leaderId))
        {
            Diagnostics.InconsistentLeaders++;
            Diagnostics.LastViolation = $"node {NodeId} in {_state} was told leader {leaderId} for epoch {epoch}";
            Log.InconsistentLeader(_logger, NodeId, leaderId, epoch, _state.ToString());
            return false;
        }
        if (epoch > _state.Epoch)
        {
            if (leaderId >= 0)
            {
                TransitionToFollower(epoch, leaderId);
            }
            else
            {
                TransitionToUnattached(epoch);
            }
        }
        else if (leaderId >= 0 && _state.LeaderId < 0)
        {
            TransitionToFollower(epoch, leaderId);
        }
        return true;
    }

    /// <summary>
    /// Kafka's maybeHandleCommonResponse: responses from an older epoch are dropped, a newer epoch or a
    /// fencing error moves this replica forward, and a response naming the unknown leader of the
    /// current epoch makes it a follower. Null means the response is for the API handler.
    /// </summary>
    private bool? MaybeHandleCommonResponse(ErrorCode error, int leaderId, int epoch)
    {
        if (epoch < _state.Epoch || error == ErrorCode.UnknownLeaderEpoch)
        {
            return true;
        }
        if (epoch > _state.Epoch || error is ErrorCode.FencedLeaderEpoch or ErrorCode.NotLeaderOrFollower)
        {
            MaybeTransition(leaderId, epoch);
            return true;
        }
        if (leaderId >= 0 && _state.LeaderId < 0)
        {
            if (!MaybeTransition(leaderId, epoch))
            {
                return true;
            }
            return error == ErrorCode.None ? null : true;
        }
        return error switch
        {
            ErrorCode.BrokerNotAvailable => false,
            ErrorCode.InvalidVoterKey => true,
            ErrorCode.InvalidRequest => false,
            _ => null,
        };
    }
}
