using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.Log;
using Kora.Raft.Messages;
using Kora.Raft.States;

namespace Kora.Raft.Core;

public sealed partial class RaftCore
{
    private void PollFollower(FollowerState state)
    {
        if (_now >= state.FetchDeadline || (IsVoter && state.LeaderUnreachableDeadline >= 0 && _now >= state.LeaderUnreachableDeadline))
        {
            if (IsVoter)
            {
                TransitionToProspective();
                return;
            }
            // An observer never stands for election: it asks any voter who leads now.
            FetchFromAnyVoter();
            return;
        }
        if (!_requests.IsReady(state.LeaderId, _now))
        {
            return;
        }
        if (state.Snapshot is { } download)
        {
            SendRequest(state.LeaderId, FetchSnapshotRequest.ApiKey, BuildFetchSnapshotRequest(download));
            return;
        }
        if (IsVoter && _log.FlushedOffset < _log.EndOffset && !FlushLog())
        {
            // The fetch offset tells the leader what this voter holds: it must be on disk first.
            return;
        }
        SendRequest(state.LeaderId, FetchRequest.ApiKey, BuildFetchRequest());
    }

    /// <summary>Observers (and followers that lost their leader) fetch from a random voter to discover the leader.</summary>
    private void FetchFromAnyVoter()
    {
        foreach (var voter in _config.Voters)
        {
            if (_requests.HasInFlight(voter))
            {
                return;
            }
        }
        var ready = _config.Voters.Where(v => v != NodeId && _requests.IsReady(v, _now)).ToList();
        if (ready.Count > 0)
        {
            SendRequest(ready[_random.Next(ready.Count)], FetchRequest.ApiKey, BuildFetchRequest());
        }
    }

    private FetchRequest BuildFetchRequest() => new()
    {
        ClusterId = _config.ClusterId,
        ReplicaId = NodeId,
        ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = NodeId, ReplicaEpoch = -1 },
        MaxWaitMs = _config.FetchMaxWaitMs,
        MinBytes = 0,
        MaxBytes = _config.FetchMaxBytes,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = RaftConfig.MetadataTopicName,
                TopicId = RaftConfig.MetadataTopicId,
                Partitions =
                [
                    new FetchRequest.FetchPartition
                    {
                        Partition = 0,
                        CurrentLeaderEpoch = _state.Epoch,
                        FetchOffset = _log.EndOffset,
                        LastFetchedEpoch = _log.LastFetchedEpoch,
                        PartitionMaxBytes = _config.FetchMaxBytes,
                    },
                ],
            },
        ],
    };

    private FetchResponse FetchResponseOf(ErrorCode error, ReadOnlyMemory<byte> records, ValidOffsetAndEpoch valid, long highWatermark)
    {
        var partition = new FetchResponse.PartitionData
        {
            PartitionIndex = 0,
            ErrorCode = (short)error,
            HighWatermark = highWatermark,
            LogStartOffset = _log.StartOffset,
            CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = _state.LeaderId, LeaderEpoch = _state.Epoch },
            Records = new RecordsData(records),
        };
        if (valid.Kind == ValidOffsetAndEpoch.Kinds.Diverging)
        {
            partition.DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = valid.OffsetAndEpoch.Epoch, EndOffset = valid.OffsetAndEpoch.Offset };
        }
        else if (valid.Kind == ValidOffsetAndEpoch.Kinds.Snapshot)
        {
            partition.SnapshotId = new FetchResponse.SnapshotId { EndOffset = valid.OffsetAndEpoch.Offset, Epoch = valid.OffsetAndEpoch.Epoch };
        }
        return new FetchResponse
        {
            Responses = [new FetchResponse.FetchableTopicResponse { Topic = RaftConfig.MetadataTopicName, TopicId = RaftConfig.MetadataTopicId, Partitions = [partition] }],
        };
    }

    private FetchResponse EmptyFetchResponse(ErrorCode error) =>
        FetchResponseOf(error, ReadOnlyMemory<byte>.Empty, new ValidOffsetAndEpoch(ValidOffsetAndEpoch.Kinds.Valid, default), -1);

    /// <summary>Kafka's validateLeaderOnlyRequest: the fetcher's epoch must be ours and we must lead it.</summary>
    private ErrorCode ValidateLeaderOnlyRequest(int requestEpoch) =>
        requestEpoch < _state.Epoch ? ErrorCode.FencedLeaderEpoch
        : requestEpoch > _state.Epoch ? ErrorCode.UnknownLeaderEpoch
        : _state is not LeaderState ? ErrorCode.NotLeaderOrFollower
        : ErrorCode.None;

    /// <summary>
    /// Kafka's ReplicatedLog.validateOffsetAndEpoch: the follower's (fetch offset, last fetched epoch)
    /// must match our log, otherwise it is told where its last epoch ends here (and truncates), or to
    /// fetch the snapshot when the offset is below our log start.
    /// </summary>
    internal ValidOffsetAndEpoch ValidateOffsetAndEpoch(long offset, int epoch)
    {
        if (_log.StartOffset == 0 && offset == 0)
        {
            return new ValidOffsetAndEpoch(ValidOffsetAndEpoch.Kinds.Valid, new OffsetAndEpoch(0, 0));
        }
        if (_log.LatestSnapshotId is { } snapshot
            && (offset < _log.StartOffset || (offset == _log.StartOffset && epoch != snapshot.Epoch) || epoch < snapshot.Epoch))
        {
            return new ValidOffsetAndEpoch(ValidOffsetAndEpoch.Kinds.Snapshot, snapshot);
        }
        var end = _log.EndOffsetForEpoch(epoch);
        if (end.Epoch != epoch || end.Offset < offset)
        {
            return new ValidOffsetAndEpoch(ValidOffsetAndEpoch.Kinds.Diverging, end);
        }
        return new ValidOffsetAndEpoch(ValidOffsetAndEpoch.Kinds.Valid, new OffsetAndEpoch(offset, epoch));
    }

    private FetchResponse? HandleFetchRequest(RaftMessage message, FetchRequest request)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new FetchResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }
        var byId = message.ApiVersion >= 13;
        if (request.Topics is not [var topic] || topic.Partitions is not [var partition] || partition.Partition != 0
            || (byId ? topic.TopicId != RaftConfig.MetadataTopicId : topic.Topic != RaftConfig.MetadataTopicName))
        {
            return new FetchResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }
        if (request.MaxWaitMs < 0 || partition.FetchOffset < 0 || partition.LastFetchedEpoch < 0 || partition.LastFetchedEpoch > partition.CurrentLeaderEpoch)
        {
            return EmptyFetchResponse(ErrorCode.InvalidRequest);
        }
        var replicaId = message.ApiVersion >= 15 ? request.ReplicaState?.ReplicaId ?? -1 : request.ReplicaId;
        var maxBytes = Math.Min(Math.Min(request.MaxBytes, partition.PartitionMaxBytes > 0 ? partition.PartitionMaxBytes : int.MaxValue), _config.FetchMaxBytes);
        var fetch = new ParkedFetch(message.Source, replicaId, message.CorrelationId, message.ApiVersion, partition.FetchOffset, partition.LastFetchedEpoch,
            partition.CurrentLeaderEpoch, maxBytes, _now + request.MaxWaitMs);
        var response = TryCompleteFetch(fetch, out var canWait);
        if (canWait && request.MaxWaitMs > 0)
        {
            // Nothing new: hold the fetch until data, a new high watermark or the wait's end.
            _parked.Add(fetch);
            return null;
        }
        RecordSentHighWatermark(fetch.ReplicaId, response);
        return response;
    }

    private void RecordSentHighWatermark(int replicaId, FetchResponse response)
    {
        if (_state is LeaderState leader && ProgressOf(leader, replicaId) is { } progress
            && response.Responses is [{ Partitions: [var partition] }] && partition.ErrorCode == 0)
        {
            progress.SentHighWatermark = partition.HighWatermark;
        }
    }

    private ReplicaProgress? ProgressOf(LeaderState leader, int replicaId) =>
        IsVoterId(replicaId) ? leader.VoterProgress[replicaId]
        : leader.ObserverProgress.TryGetValue(replicaId, out var observer) ? observer : null;

    private FetchResponse TryCompleteFetch(ParkedFetch fetch, out bool canWait)
    {
        canWait = false;
        var error = ValidateLeaderOnlyRequest(fetch.CurrentLeaderEpoch);
        if (error != ErrorCode.None || _state is not LeaderState leader)
        {
            return EmptyFetchResponse(error == ErrorCode.None ? ErrorCode.NotLeaderOrFollower : error);
        }
        var isVoter = IsVoterId(fetch.ReplicaId);
        if (isVoter)
        {
            leader.RecordFetchFromVoter(fetch.ReplicaId, _now);
            leader.Acknowledged.Add(fetch.ReplicaId);
        }
        var valid = fetch.FetchOffset == 0 && _log.LatestSnapshotId is { } snapshot
            ? new ValidOffsetAndEpoch(ValidOffsetAndEpoch.Kinds.Snapshot, snapshot)
            : ValidateOffsetAndEpoch(fetch.FetchOffset, fetch.LastFetchedEpoch);
        var records = ReadOnlyMemory<byte>.Empty;
        if (valid.Kind == ValidOffsetAndEpoch.Kinds.Valid)
        {
            records = _log.Read(fetch.FetchOffset, fetch.MaxBytes);
            if (ProgressOf(leader, fetch.ReplicaId) is { } known && fetch.FetchOffset < known.EndOffset)
            {
                // Gone back (a restart, a truncation, an answer lost): what it was told before may be lost with it.
                known.SentHighWatermark = -1;
            }
            UpdateReplicaProgress(leader, fetch.ReplicaId, isVoter, fetch.FetchOffset);
            // A high watermark this replica has not been told of is news too (it may have moved while the replica's
            // fetch was on its way, after the parked fetches were answered).
            canWait = records.IsEmpty && (ProgressOf(leader, fetch.ReplicaId) is not { } progress || progress.SentHighWatermark >= leader.HighWatermark);
        }
        return FetchResponseOf(ErrorCode.None, records, valid, leader.HighWatermark);
    }

    private void UpdateReplicaProgress(LeaderState leader, int replicaId, bool isVoter, long fetchOffset)
    {
        ReplicaProgress? progress;
        if (isVoter)
        {
            progress = leader.VoterProgress[replicaId];
        }
        else if (replicaId >= 0)
        {
            if (!leader.ObserverProgress.TryGetValue(replicaId, out progress))
            {
                progress = leader.ObserverProgress[replicaId] = new ReplicaProgress(replicaId);
            }
        }
        else
        {
            return;
        }
        // A follower may legitimately go back (it truncated); the high watermark itself never does.
        progress.EndOffset = fetchOffset;
        progress.LastFetchMs = _now;
        if (fetchOffset >= _log.EndOffset)
        {
            progress.LastCaughtUpMs = _now;
        }
        if (isVoter && leader.TryAdvanceHighWatermark(_log.FlushedOffset))
        {
            _highWatermark = Math.Max(_highWatermark, leader.HighWatermark);
            AnswerParkedFetches(expiredOnly: false);
        }
    }

    private void AnswerParkedFetches(bool expiredOnly)
    {
        if (_parked.Count == 0)
        {
            return;
        }
        var parked = _parked.ToList();
        _parked.Clear();
        foreach (var fetch in parked)
        {
            if (expiredOnly && _now < fetch.Deadline)
            {
                _parked.Add(fetch);
                continue;
            }
            var response = TryCompleteFetch(fetch, out _);
            RecordSentHighWatermark(fetch.ReplicaId, response);
            SendResponse(fetch.Source, fetch.CorrelationId, FetchRequest.ApiKey, fetch.ApiVersion, response);
        }
    }

    /// <summary>Kafka's handleFetchResponse on a follower: truncate on divergence, start a snapshot fetch, or append.</summary>
    private bool HandleFetchResponse(int source, FetchResponse response)
    {
        if (response.ErrorCode != 0)
        {
            return false;
        }
        if (response.Responses is not [var topic] || topic.Partitions is not [var partition] || partition.PartitionIndex != 0 || topic.TopicId != RaftConfig.MetadataTopicId)
        {
            return false;
        }
        var error = (ErrorCode)partition.ErrorCode;
        var leaderId = partition.CurrentLeader?.LeaderId ?? -1;
        var epoch = partition.CurrentLeader?.LeaderEpoch ?? -1;
        if (MaybeHandleCommonResponse(error, leaderId, epoch) is { } handled)
        {
            // A voter that could not name a leader: back off before asking again.
            return handled && _state is FollowerState;
        }
        if (_state is not FollowerState follower || follower.LeaderId != source)
        {
            return true;
        }
        if (error != ErrorCode.None)
        {
            return false;
        }
        if (partition.DivergingEpoch is { } diverging && (diverging.Epoch >= 0 || diverging.EndOffset >= 0))
        {
            if (diverging.Epoch < 0 || diverging.EndOffset < 0)
            {
                return false;
            }
            TruncateToDivergence(new OffsetAndEpoch(diverging.EndOffset, diverging.Epoch));
        }
        else if (partition.SnapshotId is { } snapshotId && (snapshotId.Epoch >= 0 || snapshotId.EndOffset >= 0))
        {
            if (snapshotId.Epoch < 0 || snapshotId.EndOffset < 0)
            {
                return false;
            }
            follower.Snapshot = new SnapshotDownload(new OffsetAndEpoch(snapshotId.EndOffset, snapshotId.Epoch));
        }
        else
        {
            AppendAsFollower(partition.Records?.Memory ?? ReadOnlyMemory<byte>.Empty);
            if (partition.HighWatermark >= 0)
            {
                // The fetch just proved our log equals the leader's up to our end: the high watermark applies up to there.
                _highWatermark = Math.Max(_highWatermark, Math.Min(partition.HighWatermark, _log.EndOffset));
            }
        }
        follower.HasFetchedFromLeader = true;
        follower.FetchDeadline = _now + _config.FetchTimeoutMs;
        follower.LeaderUnreachableDeadline = -1;
        return true;
    }

    /// <summary>Kafka's truncateToEndOffset; committed data is never truncated.</summary>
    private void TruncateToDivergence(OffsetAndEpoch leaderEnd)
    {
        long truncation;
        if (leaderEnd.Epoch == 0)
        {
            truncation = Math.Min(leaderEnd.Offset, _log.EndOffset);
        }
        else
        {
            var local = _log.EndOffsetForEpoch(leaderEnd.Epoch);
            truncation = local.Epoch == leaderEnd.Epoch ? Math.Min(local.Offset, leaderEnd.Offset) : local.Offset;
        }
        if (truncation < _highWatermark)
        {
            Diagnostics.TruncationsBelowHighWatermark++;
            Diagnostics.LastViolation = $"node {NodeId} told to truncate to {truncation} below high watermark {_highWatermark}";
            Log.TruncationBelowHighWatermark(_logger, NodeId, truncation, _highWatermark);
            return;
        }
        _log.TruncateTo(Math.Max(truncation, _log.StartOffset));
    }

    /// <summary>Appends only whole batches that pass their CRC and continue our log; the rest is refetched.</summary>
    private void AppendAsFollower(ReadOnlyMemory<byte> records)
    {
        if (records.IsEmpty)
        {
            return;
        }
        var valid = RaftBatches.ValidPrefix(records.Span, _log.EndOffset, _log.LastFetchedEpoch, _state.Epoch);
        if (valid < records.Length)
        {
            Diagnostics.RejectedRecordBatches++;
            Log.RejectedRecords(_logger, NodeId, records.Length - valid);
        }
        if (valid > 0)
        {
            _log.Append(records.Span[..valid]);
        }
    }
}
