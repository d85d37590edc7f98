using System.Buffers;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.States;

namespace Kora.Raft.Core;

public sealed partial class RaftCore
{
    private FetchSnapshotRequest BuildFetchSnapshotRequest(SnapshotDownload download) => new()
    {
        ClusterId = _config.ClusterId,
        ReplicaId = NodeId,
        MaxBytes = _config.FetchSnapshotMaxBytes,
        Topics =
        [
            new FetchSnapshotRequest.TopicSnapshot
            {
                Name = RaftConfig.MetadataTopicName,
                Partitions =
                [
                    new FetchSnapshotRequest.PartitionSnapshot
                    {
                        Partition = 0,
                        CurrentLeaderEpoch = _state.Epoch,
                        SnapshotId = new FetchSnapshotRequest.SnapshotId { EndOffset = download.Id.Offset, Epoch = download.Id.Epoch },
                        Position = download.Position,
                    },
                ],
            },
        ],
    };

    private FetchSnapshotResponse FetchSnapshotResponseOf(ErrorCode error, Action<FetchSnapshotResponse.PartitionSnapshot>? fill = null)
    {
        var partition = new FetchSnapshotResponse.PartitionSnapshot
        {
            Index = 0,
            ErrorCode = (short)error,
            SnapshotId = new FetchSnapshotResponse.SnapshotId { EndOffset = -1, Epoch = -1 },
            CurrentLeader = new FetchSnapshotResponse.LeaderIdAndEpoch { LeaderId = _state.LeaderId, LeaderEpoch = _state.Epoch },
            UnalignedRecords = RecordsData.Empty,
        };
        fill?.Invoke(partition);
        return new FetchSnapshotResponse
        {
            Topics = [new FetchSnapshotResponse.TopicSnapshot { Name = RaftConfig.MetadataTopicName, Partitions = [partition] }],
        };
    }

    /// <summary>Kafka's handleFetchSnapshotRequest: a chunk of the leader's latest snapshot from a position.</summary>
    private FetchSnapshotResponse HandleFetchSnapshotRequest(FetchSnapshotRequest request)
    {
        if (!HasValidClusterId(request.ClusterId))
        {
            return new FetchSnapshotResponse { ErrorCode = (short)ErrorCode.InconsistentClusterId };
        }
        if (request.Topics is not [var topic] || topic.Partitions is not [var partition])
        {
            return new FetchSnapshotResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }
        if (!IsMetadataPartition(topic.Name, partition.Partition))
        {
            return FetchSnapshotResponseOf(ErrorCode.UnknownTopicOrPartition);
        }
        var error = ValidateLeaderOnlyRequest(partition.CurrentLeaderEpoch);
        if (error != ErrorCode.None || _state is not LeaderState leader)
        {
            return FetchSnapshotResponseOf(error == ErrorCode.None ? ErrorCode.NotLeaderOrFollower : error);
        }
        var id = new OffsetAndEpoch(partition.SnapshotId?.EndOffset ?? -1, partition.SnapshotId?.Epoch ?? -1);
        if (_log.LatestSnapshotId != id)
        {
            return FetchSnapshotResponseOf(ErrorCode.SnapshotNotFound);
        }
        var size = _log.LatestSnapshotSize;
        if (partition.Position < 0 || partition.Position >= size)
        {
            return FetchSnapshotResponseOf(ErrorCode.PositionOutOfRange);
        }
        var maxBytes = Math.Min(request.MaxBytes <= 0 ? int.MaxValue : request.MaxBytes, _config.FetchSnapshotMaxBytes);
        var chunk = _log.ReadSnapshot(id, partition.Position, maxBytes);
        leader.RecordFetchFromVoter(request.ReplicaId, _now);
        return FetchSnapshotResponseOf(ErrorCode.None, p =>
        {
            p.SnapshotId = new FetchSnapshotResponse.SnapshotId { EndOffset = id.Offset, Epoch = id.Epoch };
            p.Size = size;
            p.Position = partition.Position;
            p.UnalignedRecords = new RecordsData(chunk);
        });
    }

    /// <summary>Kafka's handleFetchSnapshotResponse: append the chunk; when complete, replace the log with the snapshot.</summary>
    private bool HandleFetchSnapshotResponse(int source, FetchSnapshotResponse response)
    {
        if (response.ErrorCode != 0 || response.Topics is not [var topic] || topic.Partitions is not [var partition] || !IsMetadataPartition(topic.Name, partition.Index))
        {
            return false;
        }
        var error = (ErrorCode)partition.ErrorCode;
        if (MaybeHandleCommonResponse(error, partition.CurrentLeader?.LeaderId ?? -1, partition.CurrentLeader?.LeaderEpoch ?? -1) is { } handled)
        {
            return handled;
        }
        if (_state is not FollowerState { Snapshot: { } download } follower || follower.LeaderId != source)
        {
            return true;
        }
        var id = new OffsetAndEpoch(partition.SnapshotId?.EndOffset ?? -1, partition.SnapshotId?.Epoch ?? -1);
        if (error == ErrorCode.SnapshotNotFound || id.Offset < 0 || id.Epoch < 0)
        {
            // The leader moved on to a newer snapshot: start over from a fetch.
            follower.Snapshot = null;
            follower.FetchDeadline = _now + _config.FetchTimeoutMs;
            return true;
        }
        if (error != ErrorCode.None)
        {
            return false;
        }
        var chunk = partition.UnalignedRecords?.Memory ?? ReadOnlyMemory<byte>.Empty;
        if (id != download.Id || partition.Position != download.Position || download.Position + chunk.Length > partition.Size || chunk.IsEmpty)
        {
            follower.Snapshot = null;
            return false;
        }
        download.Content.Write(chunk.Span);
        if (download.Position == partition.Size)
        {
            _log.InstallSnapshot(id, download.Content.WrittenSpan);
            follower.Snapshot = null;
            // A leader snapshots only committed state.
            _highWatermark = Math.Max(_highWatermark, id.Offset);
            Log.SnapshotInstalled(_logger, NodeId, id.ToString(), source);
        }
        follower.HasFetchedFromLeader = true;
        follower.LeaderUnreachableDeadline = -1;
        follower.FetchDeadline = _now + _config.FetchTimeoutMs;
        return true;
    }
}
