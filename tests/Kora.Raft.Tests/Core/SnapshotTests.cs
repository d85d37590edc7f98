using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Raft.Tests.Core;

public sealed class SnapshotTests
{
    private static FetchSnapshotRequest FetchSnapshot(OffsetAndEpoch id, long position, int epoch = 1) => new()
    {
        ClusterId = "test",
        ReplicaId = 2,
        MaxBytes = 4,
        Topics = [new FetchSnapshotRequest.TopicSnapshot { Name = RaftConfig.MetadataTopicName, Partitions = [new FetchSnapshotRequest.PartitionSnapshot { CurrentLeaderEpoch = epoch, SnapshotId = new FetchSnapshotRequest.SnapshotId { EndOffset = id.Offset, Epoch = id.Epoch }, Position = position }] }],
    };

    private static CoreHarness LeaderWithSnapshot(out OffsetAndEpoch id)
    {
        var h = new CoreHarness();
        h.BecomeLeader();
        h.Advance(0);
        h.Core.TryAppend([new byte[] { 1 }, new byte[] { 2 }], h.Now);
        h.Advance(0);
        h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 3, 1));
        Assert.Equal(3, h.Core.HighWatermark);
        id = new OffsetAndEpoch(3, 1);
        h.Core.CreateSnapshot(id, "0123456789"u8);
        return h;
    }

    [Fact]
    public void SnapshotDeletesTheLogPrefixAndSendsFollowersBehindToIt()
    {
        var h = LeaderWithSnapshot(out var id);
        Assert.Equal(3, h.Log.StartOffset);
        var partition = h.Request<FetchResponse>(3, FetchRequest.ApiKey, CoreHarness.Fetch(3, 1, 1, 1))!.Responses[0].Partitions[0];
        Assert.Equal((3L, 1), (partition.SnapshotId!.EndOffset, partition.SnapshotId.Epoch));
    }

    [Fact]
    public void SnapshotIsServedInChunksWithKafkaErrors()
    {
        var h = LeaderWithSnapshot(out var id);
        var first = h.Request<FetchSnapshotResponse>(2, FetchSnapshotRequest.ApiKey, FetchSnapshot(id, 0))!.Topics[0].Partitions[0];
        Assert.Equal((10L, 0L), (first.Size, first.Position));
        Assert.Equal("0123"u8.ToArray(), first.UnalignedRecords!.Value.Memory.ToArray());
        var last = h.Request<FetchSnapshotResponse>(2, FetchSnapshotRequest.ApiKey, FetchSnapshot(id, 8))!.Topics[0].Partitions[0];
        Assert.Equal("89"u8.ToArray(), last.UnalignedRecords!.Value.Memory.ToArray());
        var beyond = h.Request<FetchSnapshotResponse>(2, FetchSnapshotRequest.ApiKey, FetchSnapshot(id, 10))!.Topics[0].Partitions[0];
        Assert.Equal((short)ErrorCode.PositionOutOfRange, beyond.ErrorCode);
        var missing = h.Request<FetchSnapshotResponse>(2, FetchSnapshotRequest.ApiKey, FetchSnapshot(new OffsetAndEpoch(2, 1), 0))!.Topics[0].Partitions[0];
        Assert.Equal((short)ErrorCode.SnapshotNotFound, missing.ErrorCode);
        var fenced = h.Request<FetchSnapshotResponse>(2, FetchSnapshotRequest.ApiKey, FetchSnapshot(id, 0, epoch: 0))!.Topics[0].Partitions[0];
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, fenced.ErrorCode);
    }

    [Fact]
    public void FollowerDownloadsTheSnapshotInChunksAndLoadsIt()
    {
        var h = new CoreHarness(prepare: h => h.Store.Write(new Quorum.ElectionState(1, 2, -1)));
        h.Advance(0);
        h.Respond(2, FetchTests.EmptyFetchAnswer(2, 1, 5, snapshot: new FetchResponse.SnapshotId { EndOffset = 5, Epoch = 1 }));
        h.Advance(0);
        var request = (FetchSnapshotRequest)h.RequestsTo(2, FetchSnapshotRequest.ApiKey).Last().Body;
        Assert.Equal(0, request.Topics[0].Partitions[0].Position);
        h.Respond(2, Chunk("abc", 0, 5));
        h.Advance(0);
        Assert.Equal(3, ((FetchSnapshotRequest)h.RequestsTo(2, FetchSnapshotRequest.ApiKey).Last().Body).Topics[0].Partitions[0].Position);
        h.Respond(2, Chunk("de", 3, 5));
        Assert.Equal(new OffsetAndEpoch(5, 1), h.Log.LatestSnapshotId);
        Assert.Equal((5L, 5L), (h.Log.StartOffset, h.Log.EndOffset));
        Assert.Equal(new OffsetAndEpoch(5, 1), h.LoadedSnapshot);
        h.Advance(0);
        var fetch = (FetchRequest)h.RequestsTo(2, FetchRequest.ApiKey).Last().Body;
        Assert.Equal((5L, 1), (fetch.Topics[0].Partitions[0].FetchOffset, fetch.Topics[0].Partitions[0].LastFetchedEpoch));
    }

    private static FetchSnapshotResponse Chunk(string bytes, long position, long size) => new()
    {
        Topics =
        [
            new FetchSnapshotResponse.TopicSnapshot
            {
                Name = RaftConfig.MetadataTopicName,
                Partitions =
                [
                    new FetchSnapshotResponse.PartitionSnapshot
                    {
                        SnapshotId = new FetchSnapshotResponse.SnapshotId { EndOffset = 5, Epoch = 1 },
                        CurrentLeader = new FetchSnapshotResponse.LeaderIdAndEpoch { LeaderId = 2, LeaderEpoch = 1 },
                        Size = size,
                        Position = position,
                        UnalignedRecords = new RecordsData(System.Text.Encoding.ASCII.GetBytes(bytes)),
                    },
                ],
            },
        ],
    };
}
