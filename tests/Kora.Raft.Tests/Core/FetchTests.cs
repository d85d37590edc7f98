using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.Log;

namespace Kora.Raft.Tests.Core;

public sealed class FetchTests
{
    internal static FetchResponse EmptyFetchAnswer(int leader, int epoch, long highWatermark, byte[]? records = null, FetchResponse.EpochEndOffset? diverging = null, FetchResponse.SnapshotId? snapshot = null) => new()
    {
        Responses =
        [
            new FetchResponse.FetchableTopicResponse
            {
                TopicId = RaftConfig.MetadataTopicId,
                Partitions =
                [
                    new FetchResponse.PartitionData
                    {
                        HighWatermark = highWatermark,
                        CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = leader, LeaderEpoch = epoch },
                        DivergingEpoch = diverging,
                        SnapshotId = snapshot,
                        Records = new RecordsData(records ?? []),
                    },
                ],
            },
        ],
    };

    private static FetchResponse.PartitionData Partition(FetchResponse? response) => response!.Responses[0].Partitions[0];

    [Fact]
    public void HighWatermarkNeedsAMajorityAndAnEntryOfTheCurrentEpoch()
    {
        var h = new CoreHarness();
        h.BecomeLeader();
        h.Advance(0);
        Assert.Equal(1, h.Log.FlushedOffset);
        var atStart = Partition(h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 0, 0)));
        Assert.Equal(-1, atStart.HighWatermark);
        Assert.Equal(1, atStart.Records!.Value.Length > 0 ? 1 : 0);
        var caughtUp = Partition(h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 1, 1)));
        Assert.Equal(1, caughtUp.HighWatermark);
        Assert.Equal(1, h.Core.HighWatermark);
    }

    [Fact]
    public void AnObserverBehindTheHighWatermarkIsAnsweredAtOnceThoughNoRecordsAreNew()
    {
        const int observer = 101;
        var h = new CoreHarness();
        h.BecomeLeader();
        h.Advance(0);
        h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 1, 1));
        Assert.Equal(1, Partition(h.Request<FetchResponse>(observer, FetchRequest.ApiKey, CoreHarness.Fetch(observer, 1, 1, 1, maxWaitMs: 500))).HighWatermark);
        // Told of everything: the long poll waits.
        Assert.Null(h.Request<FetchResponse>(observer, FetchRequest.ApiKey, CoreHarness.Fetch(observer, 1, 1, 1, maxWaitMs: 500)));

        // A new record reaches the waiting observer before it is committed...
        h.Core.TryAppend([new byte[] { 7 }], h.Now);
        h.Advance(0);
        var answered = h.Sent.Last(m => m.IsResponse && m.Destination == observer);
        var uncommitted = Partition((FetchResponse)CoreHarness.RoundTrip(answered).Body);
        Assert.True(uncommitted.Records!.Value.Length > 0);
        Assert.Equal(1, uncommitted.HighWatermark);
        // ...and a voter commits it before the observer fetches again: nothing new to read, but a high watermark to learn.
        h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 2, 1));
        Assert.Equal(2, h.Core.HighWatermark);
        var committed = h.Request<FetchResponse>(observer, FetchRequest.ApiKey, CoreHarness.Fetch(observer, 1, 2, 1, maxWaitMs: 500));
        Assert.NotNull(committed);
        Assert.Equal(2, Partition(committed).HighWatermark);
        Assert.Null(h.Request<FetchResponse>(observer, FetchRequest.ApiKey, CoreHarness.Fetch(observer, 1, 2, 1, maxWaitMs: 500)));
    }

    [Fact]
    public void LeaderCountsItsOwnEntriesOnlyOnceFsynced()
    {
        var h = new CoreHarness();
        h.BecomeLeader();
        h.Advance(0);
        h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 1, 1));
        h.Core.TryAppend([new byte[] { 7 }], h.Now);
        Assert.Equal(1, h.Log.FlushedOffset);
        // Follower 2 already holds offset 1 durably; with the leader's copy unflushed there is no majority.
        var partition = Partition(h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 1, 1)));
        Assert.True(partition.Records!.Value.Length > 0);
        Assert.Equal(1, h.Core.HighWatermark);
        h.Advance(0);
        Assert.Equal(2, h.Log.FlushedOffset);
        h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 2, 1));
        Assert.Equal(2, h.Core.HighWatermark);
    }

    [Fact]
    public void DivergingFollowerIsToldWhereItsEpochEnds()
    {
        var h = new CoreHarness(prepare: h =>
        {
            h.Log.Append(CoreHarness.Data(0, 1, "a", "b"));
            h.Log.Append(CoreHarness.Data(2, 3, "c"));
            h.Store.Write(new Quorum.ElectionState(3, -1, -1));
        });
        h.Advance(199);
        h.Respond(2, CoreHarness.VoteAnswer(3, granted: true));
        h.Advance(0);
        h.Respond(2, CoreHarness.VoteAnswer(4, granted: true));
        Assert.Equal(RaftRole.Leader, h.Core.Role);
        // Node 2 holds offsets 0..4 of epoch 2, which this leader never had.
        var partition = Partition(h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 4, 5, 2)));
        Assert.NotNull(partition.DivergingEpoch);
        Assert.Equal((1, 2L), (partition.DivergingEpoch!.Epoch, partition.DivergingEpoch.EndOffset));
        var invalid = Partition(h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 4, 5, 9)));
        Assert.Equal((short)ErrorCode.InvalidRequest, invalid.ErrorCode);
        var fenced = Partition(h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 3, 3, 3)));
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, fenced.ErrorCode);
    }

    [Fact]
    public void FollowerTruncatesToTheDivergenceAndAppendsWhatFollows()
    {
        var h = new CoreHarness(prepare: h =>
        {
            h.Log.Append(CoreHarness.Data(0, 1, "a", "b"));
            h.Log.Append(CoreHarness.Data(2, 2, "stale-1", "stale-2"));
            h.Store.Write(new Quorum.ElectionState(3, 2, -1));
        });
        Assert.Equal(RaftRole.Follower, h.Core.Role);
        h.Advance(0);
        var fetch = (FetchRequest)h.RequestsTo(2, FetchRequest.ApiKey).Last().Body;
        Assert.Equal((4L, 2), (fetch.Topics[0].Partitions[0].FetchOffset, fetch.Topics[0].Partitions[0].LastFetchedEpoch));
        h.Respond(2, EmptyFetchAnswer(2, 3, 2, diverging: new FetchResponse.EpochEndOffset { Epoch = 1, EndOffset = 2 }));
        Assert.Equal(2, h.Log.EndOffset);
        h.Advance(0);
        h.Respond(2, EmptyFetchAnswer(2, 3, 3, records: CoreHarness.Data(2, 3, "fresh")));
        Assert.Equal(3, h.Log.EndOffset);
        Assert.Equal(3, h.Core.HighWatermark);
        Assert.Equal(2, h.Committed.Count);
    }

    [Fact]
    public void FollowerRefusesToTruncateCommittedEntries()
    {
        var h = new CoreHarness(prepare: h =>
        {
            h.Log.Append(CoreHarness.Data(0, 1, "a", "b"));
            h.Store.Write(new Quorum.ElectionState(2, 2, -1));
        });
        h.Advance(0);
        h.Respond(2, EmptyFetchAnswer(2, 2, 2));
        Assert.Equal(2, h.Core.HighWatermark);
        h.Advance(0);
        h.Respond(2, EmptyFetchAnswer(2, 2, 2, diverging: new FetchResponse.EpochEndOffset { Epoch = 1, EndOffset = 1 }));
        Assert.Equal(2, h.Log.EndOffset);
        Assert.Equal(1, h.Core.Diagnostics.TruncationsBelowHighWatermark);
    }

    [Fact]
    public void CorruptFetchedBatchesAreNotAppended()
    {
        var h = new CoreHarness(prepare: h => h.Store.Write(new Quorum.ElectionState(1, 2, -1)));
        h.Advance(0);
        var records = CoreHarness.Data(0, 1, "x").Concat(CoreHarness.Data(1, 1, "y")).ToArray();
        records[^3] ^= 0xFF;
        h.Respond(2, EmptyFetchAnswer(2, 1, 2, records: records));
        Assert.Equal(1, h.Log.EndOffset);
        Assert.Equal(1, h.Core.HighWatermark);
        Assert.Equal(1, h.Core.Diagnostics.RejectedRecordBatches);
    }

    [Fact]
    public void LeaderWithoutFetchesFromAMajorityResigns()
    {
        var h = new CoreHarness();
        h.BecomeLeader();
        h.Advance(250);
        Assert.Equal(RaftRole.Leader, h.Core.Role);
        h.Request<FetchResponse>(3, FetchRequest.ApiKey, CoreHarness.Fetch(3, 1, 1, 1));
        h.Advance(250);
        Assert.Equal(RaftRole.Leader, h.Core.Role);
        h.Advance(100);
        Assert.Equal(RaftRole.Resigned, h.Core.Role);
        h.Advance(0);
        var end = (EndQuorumEpochRequest)h.RequestsTo(2, EndQuorumEpochRequest.ApiKey).Last().Body;
        Assert.Equal([3, 2], end.Topics[0].Partitions[0].PreferredCandidates.Select(c => c.CandidateId));
    }

    [Fact]
    public void PreferredSuccessorStandsAtOnceAfterEndQuorumEpoch()
    {
        var h = new CoreHarness();
        h.Request<BeginQuorumEpochResponse>(2, BeginQuorumEpochRequest.ApiKey, CoreHarness.BeginEpoch(2, 1));
        h.Request<EndQuorumEpochResponse>(2, EndQuorumEpochRequest.ApiKey, new EndQuorumEpochRequest
        {
            ClusterId = "test",
            Topics = [new EndQuorumEpochRequest.TopicData { TopicName = RaftConfig.MetadataTopicName, Partitions = [new EndQuorumEpochRequest.PartitionData { LeaderId = 2, LeaderEpoch = 1, PreferredCandidates = [new EndQuorumEpochRequest.ReplicaInfo { CandidateId = 1 }] }] }],
        });
        h.Advance(1);
        Assert.Equal(RaftRole.Prospective, h.Core.Role);
    }

    [Fact]
    public void ObserverDiscoversTheLeaderThroughAnyVoter()
    {
        var h = new CoreHarness(nodeId: 100);
        h.Advance(1);
        var asked = h.Sent.Single(m => m.ApiKey == FetchRequest.ApiKey);
        h.Respond(asked.Destination, new FetchResponse
        {
            Responses = [new FetchResponse.FetchableTopicResponse { TopicId = RaftConfig.MetadataTopicId, Partitions = [new FetchResponse.PartitionData { ErrorCode = (short)ErrorCode.UnknownLeaderEpoch, CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = 3, LeaderEpoch = 4 } }] }],
        });
        Assert.Equal(RaftRole.Unattached, h.Core.Role);
        h.Respond(asked.Destination, EmptyFetchAnswer(3, 4, 0));
        h.Advance(20);
        h.Respond(h.Sent.Last(m => m.ApiKey == FetchRequest.ApiKey).Destination, new FetchResponse
        {
            Responses = [new FetchResponse.FetchableTopicResponse { TopicId = RaftConfig.MetadataTopicId, Partitions = [new FetchResponse.PartitionData { ErrorCode = (short)ErrorCode.FencedLeaderEpoch, CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = 3, LeaderEpoch = 4 } }] }],
        });
        Assert.Equal(RaftRole.Follower, h.Core.Role);
        Assert.Equal(3, h.Core.LeaderId);
        var vote = h.Request<VoteResponse>(2, VoteRequest.ApiKey, CoreHarness.Vote(2, 5, 0, 0))!;
        Assert.False(vote.Topics[0].Partitions[0].VoteGranted);
    }

    [Fact]
    public void DescribeQuorumReportsVotersAndObserversFromTheLeader()
    {
        var h = new CoreHarness();
        var notLeader = h.Request<DescribeQuorumResponse>(9, DescribeQuorumRequest.ApiKey, new DescribeQuorumRequest
        {
            Topics = [new DescribeQuorumRequest.TopicData { TopicName = RaftConfig.MetadataTopicName, Partitions = [new DescribeQuorumRequest.PartitionData()] }],
        })!;
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, notLeader.Topics[0].Partitions[0].ErrorCode);
        h.BecomeLeader();
        h.Advance(0);
        h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 1, 1));
        h.Request<FetchResponse>(100, FetchRequest.ApiKey, CoreHarness.Fetch(100, 1, 0, 0));
        var described = h.Request<DescribeQuorumResponse>(9, DescribeQuorumRequest.ApiKey, new DescribeQuorumRequest
        {
            Topics = [new DescribeQuorumRequest.TopicData { TopicName = RaftConfig.MetadataTopicName, Partitions = [new DescribeQuorumRequest.PartitionData()] }],
        })!.Topics[0].Partitions[0];
        Assert.Equal((1, 1, 1L), (described.LeaderId, described.LeaderEpoch, described.HighWatermark));
        Assert.Equal([1, 2, 3], described.CurrentVoters.Select(v => v.ReplicaId));
        Assert.Equal(1, described.CurrentVoters[1].LogEndOffset);
        Assert.Equal([100], described.Observers.Select(o => o.ReplicaId));
        var unknown = h.Request<DescribeQuorumResponse>(9, DescribeQuorumRequest.ApiKey, new DescribeQuorumRequest
        {
            Topics = [new DescribeQuorumRequest.TopicData { TopicName = "other", Partitions = [new DescribeQuorumRequest.PartitionData()] }],
        })!;
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Topics[0].Partitions[0].ErrorCode);
    }
}
