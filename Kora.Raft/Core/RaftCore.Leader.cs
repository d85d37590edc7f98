using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.States;

namespace Kora.Raft.Core;

public sealed partial class RaftCore
{
    private void PollLeader(LeaderState state)
    {
        if (state.ResignRequested || state.CheckQuorumExpired(_now))
        {
            // Check-quorum: a leader no majority fetches from may be on the wrong side of a partition.
            TransitionToResigned(state.OtherVotersByDescendingOffset());
            return;
        }
        if (_log.EndOffset > _log.FlushedOffset && _now >= _flushDue)
        {
            _flushDue = long.MaxValue;
            if (FlushLog())
            {
                OnLeaderLogFlushed(state);
            }
        }
        if (_now >= state.BeginQuorumEpochDue)
        {
            foreach (var voter in _config.Voters)
            {
                if (voter != NodeId && !state.Acknowledged.Contains(voter) && _requests.IsReady(voter, _now))
                {
                    SendRequest(voter, BeginQuorumEpochRequest.ApiKey, BuildBeginQuorumEpochRequest(voter, state.Epoch));
                }
            }
            state.BeginQuorumEpochDue = _now + _config.BeginQuorumEpochTimeoutMs;
        }
        AnswerParkedFetches(expiredOnly: true);
    }

    /// <summary>The leader's own entries count toward the majority only once fsynced.</summary>
    private void OnLeaderLogFlushed(LeaderState state)
    {
        if (state.TryAdvanceHighWatermark(_log.FlushedOffset))
        {
            _highWatermark = Math.Max(_highWatermark, state.HighWatermark);
        }
        // New data or a new high watermark: waiting fetches can be answered now.
        AnswerParkedFetches(expiredOnly: false);
    }

    private BeginQuorumEpochRequest BuildBeginQuorumEpochRequest(int voterId, int epoch) => new()
    {
        ClusterId = _config.ClusterId,
        VoterId = voterId,
        Topics =
        [
            new BeginQuorumEpochRequest.TopicData
            {
                TopicName = RaftConfig.MetadataTopicName,
                Partitions = [new BeginQuorumEpochRequest.PartitionData { PartitionIndex = 0, LeaderId = NodeId, LeaderEpoch = epoch }],
            },
        ],
    };

    private EndQuorumEpochRequest BuildEndQuorumEpochRequest(ResignedState state) => new()
    {
        ClusterId = _config.ClusterId,
        Topics =
        [
            new EndQuorumEpochRequest.TopicData
            {
                TopicName = RaftConfig.MetadataTopicName,
                Partitions =
                [
                    new EndQuorumEpochRequest.PartitionData
                    {
                        PartitionIndex = 0,
                        LeaderId = NodeId,
                        LeaderEpoch = state.Epoch,
                        PreferredSuccessors = [.. state.PreferredSuccessors],
                        PreferredCandidates = state.PreferredSuccessors.Select(id => new EndQuorumEpochRequest.ReplicaInfo { CandidateId = id }).ToList(),
                    },
                ],
            },
        ],
    };

    private BeginQuorumEpochResponse BeginQuorumEpochResponseOf(ErrorCode error) => new()
    {
        Topics =
        [
            new BeginQuorumEpochResponse.TopicData
            {
                TopicName = RaftConfig.MetadataTopicName,
                Partitions = [new BeginQuorumEpochResponse.PartitionData { PartitionIndex = 0, ErrorCode = (short)error, LeaderId = _state.LeaderId, LeaderEpoch = _state.Epoch }],
            },
        ],
    };

    private EndQuorumEpochResponse EndQuorumEpochResponseOf(ErrorCode error) => new()
    {
        Topics =
        [
            new EndQuorumEpochResponse.TopicData
            {
                TopicName = RaftConfig.MetadataTopicName,
                Partitions = [new EndQuorumEpochResponse.PartitionData { PartitionIndex = 0, ErrorCode = (short)error, LeaderId = _state.LeaderId, LeaderEpoch = _state.Epoch }],
            },
        ],
    };

    /// <summary>Kafka's validateVoterOnlyRequest for Vote, BeginQuorumEpoch and EndQuorumEpoch.</summary>
    private ErrorCode ValidateVoterOnlyRequest(int remoteNodeId, int requestEpoch) =>
        requestEpoch < _state.Epoch ? ErrorCode.FencedLeaderEpoch
        : remoteNodeId < 0 || !IsVoterId(remoteNodeId) ? ErrorCode.InvalidRequest
        : ErrorCode.None;

    private BeginQuorumEpochResponse HandleBeginQuorumEpochRequest(BeginQuorumEpochRequest request)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new BeginQuorumEpochResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }
        if (request.Topics is not [var topic] || topic.Partitions is not [var partition] || !IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
        {
            return new BeginQuorumEpochResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }
        var error = ValidateVoterOnlyRequest(partition.LeaderId, partition.LeaderEpoch);
        if (error != ErrorCode.None)
        {
            return BeginQuorumEpochResponseOf(error);
        }
        if (!MaybeTransition(partition.LeaderId, partition.LeaderEpoch))
        {
            return BeginQuorumEpochResponseOf(ErrorCode.InvalidRequest);
        }
        if (request.VoterId >= 0 && request.VoterId != NodeId)
        {
            return BeginQuorumEpochResponseOf(ErrorCode.InvalidVoterKey);
        }
        return BeginQuorumEpochResponseOf(ErrorCode.None);
    }

    private bool HandleBeginQuorumEpochResponse(int source, BeginQuorumEpochResponse response)
    {
        if (response.ErrorCode != 0 || response.Topics is not [var topic] || topic.Partitions is not [var partition] || !IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
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
        if (_state is LeaderState leader)
        {
            leader.Acknowledged.Add(source);
        }
        return true;
    }

    /// <summary>
    /// A resigning leader names its most caught-up voters; each follower waits a strictly exponential
    /// backoff by its place in that list before standing, so the best successor usually goes first.
    /// </summary>
    private EndQuorumEpochResponse HandleEndQuorumEpochRequest(EndQuorumEpochRequest request)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new EndQuorumEpochResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }
        if (request.Topics is not [var topic] || topic.Partitions is not [var partition] || !IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
        {
            return new EndQuorumEpochResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }
        var error = ValidateVoterOnlyRequest(partition.LeaderId, partition.LeaderEpoch);
        if (error != ErrorCode.None)
        {
            return EndQuorumEpochResponseOf(error);
        }
        if (!MaybeTransition(partition.LeaderId, partition.LeaderEpoch))
        {
            return EndQuorumEpochResponseOf(ErrorCode.InvalidRequest);
        }
        if (_state is FollowerState follower && follower.LeaderId == partition.LeaderId && IsVoter)
        {
            var candidates = partition.PreferredCandidates?.Select(c => c.CandidateId).ToList() ?? [];
            if (candidates.Count == 0 && partition.PreferredSuccessors is { Count: > 0 } successors)
            {
                candidates = successors;
            }
            follower.FetchDeadline = Math.Min(follower.FetchDeadline, _now + EndEpochElectionBackoff(candidates));
        }
        return EndQuorumEpochResponseOf(ErrorCode.None);
    }

    /// <summary>Kafka's strictExponentialElectionBackoffMs by position in the preferred candidates.</summary>
    private int EndEpochElectionBackoff(List<int> preferred)
    {
        var position = preferred.IndexOf(NodeId);
        if (position == 0)
        {
            return 0;
        }
        if (position < 0)
        {
            return _config.ElectionBackoffMaxMs;
        }
        var baseMs = _config.ElectionBackoffMaxMs >> (preferred.Count - 1);
        return Math.Min(_config.ElectionBackoffMaxMs, baseMs << (position - 1));
    }

    private bool HandleEndQuorumEpochResponse(int source, EndQuorumEpochResponse response)
    {
        if (response.ErrorCode != 0 || response.Topics is not [var topic] || topic.Partitions is not [var partition] || !IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
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
        if (_state is ResignedState resigned)
        {
            resigned.Acknowledged.Add(source);
        }
        return true;
    }

    private DescribeQuorumResponse HandleDescribeQuorumRequest(DescribeQuorumRequest request)
    {
        if (request.Topics is not [var topic] || topic.Partitions is not [var partition] || !IsMetadataPartition(topic.TopicName, partition.PartitionIndex))
        {
            return new DescribeQuorumResponse
            {
                Topics = (request.Topics ?? []).Select(t => new DescribeQuorumResponse.TopicData
                {
                    TopicName = t.TopicName,
                    Partitions = (t.Partitions ?? []).Select(p => new DescribeQuorumResponse.PartitionData
                    {
                        PartitionIndex = p.PartitionIndex,
                        ErrorCode = (short)ErrorCode.UnknownTopicOrPartition,
                        ErrorMessage = null,
                    }).ToList(),
                }).ToList(),
            };
        }
        var data = new DescribeQuorumResponse.PartitionData { PartitionIndex = 0, ErrorMessage = null };
        if (_state is not LeaderState leader)
        {
            data.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
        }
        else
        {
            data.LeaderId = NodeId;
            data.LeaderEpoch = leader.Epoch;
            data.HighWatermark = leader.HighWatermark;
            data.CurrentVoters = leader.VoterProgress.Values.OrderBy(p => p.ReplicaId).Select(p => new DescribeQuorumResponse.ReplicaState
            {
                ReplicaId = p.ReplicaId,
                LogEndOffset = p.ReplicaId == NodeId ? _log.EndOffset : p.EndOffset,
                LastFetchTimestamp = p.ReplicaId == NodeId ? _now : p.LastFetchMs,
                LastCaughtUpTimestamp = p.ReplicaId == NodeId ? _now : p.LastCaughtUpMs,
            }).ToList();
            data.Observers = leader.ObserverProgress.Values.OrderBy(p => p.ReplicaId).Select(p => new DescribeQuorumResponse.ReplicaState
            {
                ReplicaId = p.ReplicaId,
                LogEndOffset = p.EndOffset,
                LastFetchTimestamp = p.LastFetchMs,
                LastCaughtUpTimestamp = p.LastCaughtUpMs,
            }).ToList();
        }
        return new DescribeQuorumResponse
        {
            ErrorMessage = null,
            Topics = [new DescribeQuorumResponse.TopicData { TopicName = RaftConfig.MetadataTopicName, Partitions = [data] }],
        };
    }
}
