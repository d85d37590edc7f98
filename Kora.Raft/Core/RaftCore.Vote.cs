using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.States;

namespace Kora.Raft.Core;

public sealed partial class RaftCore
{
    private void PollUnattached(UnattachedState state)
    {
        if (!IsVoter)
        {
            FetchFromAnyVoter();
            return;
        }
        if (_now >= state.ElectionDeadline)
        {
            TransitionToProspective();
        }
    }

    private void PollProspective(ProspectiveState state)
    {
        if (_now >= state.ElectionDeadline)
        {
            ProspectiveLost(state);
            return;
        }
        foreach (var voter in state.Votes.UnrecordedVoters)
        {
            if (voter != NodeId && _requests.IsReady(voter, _now))
            {
                SendRequest(voter, VoteRequest.ApiKey, BuildVoteRequest(voter, state.Epoch), preVote: true);
            }
        }
    }

    /// <summary>A lost or timed-out pre-vote returns to following the last known leader, or to unattached.</summary>
    private void ProspectiveLost(ProspectiveState state)
    {
        if (state.LeaderId >= 0)
        {
            TransitionToFollower(state.Epoch, state.LeaderId);
        }
        else
        {
            TransitionToUnattached(state.Epoch, state.Votes.IsRejected ? null : state.ElectionDeadline);
        }
    }

    private void PollCandidate(CandidateState state)
    {
        if (state.BackoffUntil is { } until)
        {
            if (_now >= until)
            {
                TransitionToProspective();
            }
            return;
        }
        if (_now >= state.ElectionDeadline)
        {
            state.BackoffUntil = _now + ElectionBackoff(state.Retries);
            return;
        }
        foreach (var voter in state.Votes.UnrecordedVoters)
        {
            if (voter != NodeId && _requests.IsReady(voter, _now))
            {
                SendRequest(voter, VoteRequest.ApiKey, BuildVoteRequest(voter, state.Epoch));
            }
        }
    }

    /// <summary>Kafka's binaryExponentialElectionBackoffMs: a random multiple of the base, doubling its range per retry.</summary>
    private int ElectionBackoff(int retries)
    {
        var range = 2 << Math.Min(20, Math.Max(0, retries - 1));
        return (int)Math.Min((long)_config.ElectionBackoffBaseMs * _random.Next(range), _config.ElectionBackoffMaxMs);
    }

    private void PollResigned(ResignedState state)
    {
        foreach (var voter in _config.Voters)
        {
            if (voter != NodeId && !state.Acknowledged.Contains(voter) && _requests.IsReady(voter, _now))
            {
                SendRequest(voter, EndQuorumEpochRequest.ApiKey, BuildEndQuorumEpochRequest(state));
            }
        }
        if (_now >= state.ElectionDeadline)
        {
            TransitionToUnattached(state.Epoch + 1, _now);
        }
    }

    private VoteRequest BuildVoteRequest(int voterId, int epoch) => new()
    {
        ClusterId = _config.ClusterId,
        VoterId = voterId,
        Topics =
        [
            new VoteRequest.TopicData
            {
                TopicName = RaftConfig.MetadataTopicName,
                Partitions =
                [
                    new VoteRequest.PartitionData
                    {
                        PartitionIndex = 0,
                        CandidateEpoch = epoch,
                        CandidateId = NodeId,
                        LastOffsetEpoch = _log.LastFetchedEpoch,
                        LastOffset = _log.EndOffset,
                    },
                ],
            },
        ],
    };

    private VoteResponse VoteResponseOf(ErrorCode error, bool granted) => new()
    {
        Topics =
        [
            new VoteResponse.TopicData
            {
                TopicName = RaftConfig.MetadataTopicName,
                Partitions =
                [
                    new VoteResponse.PartitionData
                    {
                        PartitionIndex = 0,
                        ErrorCode = (short)error,
                        LeaderId = _state.LeaderId,
                        LeaderEpoch = _state.Epoch,
                        VoteGranted = granted,
                    },
                ],
            },
        ],
    };

    /// <summary>
    /// Kafka's handleVoteRequest. A vote is granted only to a candidate whose log is at least as up to
    /// date as ours (last epoch, then end offset), once per epoch, and the vote is fsynced before the
    /// answer leaves. A pre-vote binds nothing and is granted on the log check alone.
    /// </summary>
    private VoteResponse HandleVoteRequest(VoteRequest request, bool preVote)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new VoteResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }
        if (request.Topics is not [var topic] || topic.Partitions is not [var partition] || !IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
        {
            return new VoteResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }
        var candidateEpoch = partition.CandidateEpoch;
        var lastEpoch = partition.LastOffsetEpoch;
        // A candidate bumped its epoch past every epoch in its log; a prospective has not.
        var illegalEpoch = preVote ? lastEpoch > candidateEpoch : lastEpoch >= candidateEpoch;
        if (partition.LastOffset < 0 || lastEpoch < 0 || illegalEpoch || partition.CandidateId < 0)
        {
            return VoteResponseOf(ErrorCode.InvalidRequest, false);
        }
        if (candidateEpoch < _state.Epoch)
        {
            return VoteResponseOf(ErrorCode.FencedLeaderEpoch, false);
        }
        if (candidateEpoch > _state.Epoch)
        {
            TransitionToUnattached(candidateEpoch);
        }
        if (request.VoterId >= 0 && request.VoterId != NodeId)
        {
            return VoteResponseOf(ErrorCode.InvalidVoterKey, false);
        }
        if (!IsVoter || !IsVoterId(partition.CandidateId))
        {
            return VoteResponseOf(ErrorCode.None, false);
        }
        var isLogUpToDate = new OffsetAndEpoch(partition.LastOffset, lastEpoch) >= new OffsetAndEpoch(_log.EndOffset, _log.LastFetchedEpoch);
        var granted = _state.CanGrantVote(partition.CandidateId, isLogUpToDate, preVote);
        if (granted && !preVote)
        {
            switch (_state)
            {
                case UnattachedState { VotedId: < 0 } unattached:
                    DurableTransition(new UnattachedState(unattached.Epoch, partition.CandidateId, ElectionDeadline()));
                    break;
                case ProspectiveState { VotedId: < 0 } prospective:
                    DurableTransition(new ProspectiveState(prospective.Epoch, prospective.LeaderId, partition.CandidateId,
                        new EpochElection(_config.Voters, NodeId), ElectionDeadline(), prospective.Retries));
                    break;
            }
        }
        return VoteResponseOf(ErrorCode.None, granted);
    }

    private bool HandleVoteResponse(int source, VoteResponse response, InFlightRequest request)
    {
        if (response.ErrorCode != 0)
        {
            return false;
        }
        if (response.Topics is not [var topic] || topic.Partitions is not [var partition] || !IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
        {
            return false;
        }
        var error = (ErrorCode)partition.ErrorCode;
        if (MaybeHandleCommonResponse(error, partition.LeaderId, partition.LeaderEpoch) is { } handled)
        {
            return handled;
        }
        if (error != ErrorCode.None)
        {
            return false;
        }
        switch (_state)
        {
            case ProspectiveState prospective when request.PreVote:
                if (partition.VoteGranted)
                {
                    prospective.Votes.RecordGranted(source);
                    if (prospective.Votes.IsGranted)
                    {
                        TransitionToCandidate();
                    }
                }
                else
                {
                    prospective.Votes.RecordRejected(source);
                    if (prospective.Votes.IsRejected)
                    {
                        ProspectiveLost(prospective);
                    }
                }
                break;
            case CandidateState candidate when !request.PreVote:
                if (partition.VoteGranted)
                {
                    candidate.Votes.RecordGranted(source);
                    if (candidate.Votes.IsGranted)
                    {
                        TransitionToLeader();
                    }
                }
                else
                {
                    candidate.Votes.RecordRejected(source);
                    if (candidate.Votes.IsRejected && candidate.BackoffUntil is null)
                    {
                        // Hopeless: back off now rather than wait out the election timeout.
                        candidate.BackoffUntil = _now + ElectionBackoff(candidate.Retries);
                    }
                }
                break;
        }
        return true;
    }
}
