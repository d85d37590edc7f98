using System.Buffers.Binary;
using Kora.Broker.Apis;
using Kora.Broker.Partitions;
using Kora.Broker.Replication;
using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Epochs;
using Kora.Storage.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Broker.Tests.Replication;

/// <summary>
/// The leader's replication state on broker 1 of replicas [1, 2, 3]: high watermark over the ISR, acks=all
/// waiters, ISR shrink and expansion decisions, and the follower's truncation offset.
/// </summary>
public sealed class PartitionReplicationTests : IDisposable
{
    private const long Now = 1_000_000;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kora-replication-");
    private readonly PartitionLog _log;
    private readonly Partition _partition;

    public PartitionReplicationTests()
    {
        var config = new LogConfig { MinInsyncReplicas = 2 };
        _log = PartitionLog.Open(Path.Combine(_dir.FullName, "t-0"), config, TimeProvider.System, NullLogger.Instance);
        _partition = new Partition("t", Guid.NewGuid(), 0, _log, config, localBrokerId: 1);
        _partition.MakeLeader(Image(isr: [1, 2, 3]), Now);
    }

    private static PartitionImage Image(int[] isr, int leader = 1, int leaderEpoch = 5, int partitionEpoch = 7) =>
        new(0, [1, 2, 3], isr, leader, leaderEpoch, partitionEpoch);

    private void Produce(int records)
    {
        var builder = new RecordBatchBuilder(Now);
        for (var i = 0; i < records; i++)
        {
            builder.Add([], "v"u8, Now, nullKey: true);
        }
        Assert.Equal(ErrorCode.None, _partition.Append(builder.Build(), Now).Error);
    }

    private ErrorCode Fetch(int replica, long offset, long now = Now) =>
        _partition.RecordFollowerFetch(replica, 11, offset, _log.LogEndOffset, now, out _);

    [Fact]
    public void HighWatermark_IsTheSmallestLogEndAcrossTheIsr()
    {
        Produce(10);
        Assert.Equal(0, _log.HighWatermark);
        Fetch(2, 10);
        // Replica 3 has not fetched in this epoch: its log end is unknown and holds the high watermark.
        Assert.Equal(0, _log.HighWatermark);
        Fetch(3, 4);
        Assert.Equal(4, _log.HighWatermark);
        Fetch(3, 10);
        Assert.Equal(10, _log.HighWatermark);
        Assert.Equal(10, _partition.FollowerLogEndOffset(3));
    }

    [Fact]
    public async Task AcksAll_CompletesWhenTheHighWatermarkCoversIt()
    {
        Produce(3);
        var waiter = _partition.AwaitReplication(3, out var error);
        Assert.NotNull(waiter);
        Assert.Equal(ErrorCode.None, error);
        Fetch(2, 3);
        Assert.False(waiter.Task.IsCompleted);
        Fetch(3, 3);
        Assert.True(waiter.Task.IsCompletedSuccessfully);
        Assert.Equal(ErrorCode.None, await waiter.Task);

        // Already covered: decided at once.
        Assert.Null(_partition.AwaitReplication(3, out var immediate));
        Assert.Equal(ErrorCode.None, immediate);
    }

    [Fact]
    public async Task AcksAll_GetsNotEnoughReplicasAfterAppend_WhenTheIsrShrankBelowMinInsync()
    {
        Produce(2);
        var waiter = _partition.AwaitReplication(2, out _)!;
        // The controller fenced both followers: the ISR is the leader alone, and the high watermark moves to the log end.
        _partition.ApplyLeaderImage(Image(isr: [1], partitionEpoch: 8), Now);
        Assert.Equal(2, _log.HighWatermark);
        Assert.True(waiter.Task.IsCompleted);
        Assert.Equal(ErrorCode.NotEnoughReplicasAfterAppend, await waiter.Task);
    }

    [Fact]
    public async Task AcksAll_TimesOut_OrFailsWhenLeadershipMoves()
    {
        Produce(2);
        var timedOut = _partition.AwaitReplication(1, out _)!;
        _partition.CancelReplicationWait(timedOut);
        Assert.Equal(ErrorCode.RequestTimedOut, await timedOut.Task);

        var moved = _partition.AwaitReplication(2, out _)!;
        _partition.MakeFollower(Image(isr: [1, 2, 3], leader: 2, leaderEpoch: 6));
        Assert.True(moved.Task.IsCompleted);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, await moved.Task);
        Assert.Null(_partition.AwaitReplication(2, out var notLeader));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, notLeader);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, Fetch(2, 0));
    }

    [Fact]
    public void AFetchFromABrokerThatIsNotAReplica_IsRefused() =>
        Assert.Equal(ErrorCode.NotLeaderOrFollower, Fetch(9, 0));

    [Fact]
    public void Shrink_DropsFollowersThatHaveNotCaughtUpWithinTheLag_AndWaitsForTheController()
    {
        const long lag = 10_000;
        Produce(5);
        Fetch(2, 5, Now + 20_000);
        Fetch(3, 2, Now + 20_000);
        Assert.Null(_partition.MaybeShrinkIsr(Now + 5_000, lag));
        var shrink = _partition.MaybeShrinkIsr(Now + 20_001, lag);
        Assert.NotNull(shrink);
        Assert.Equal([1, 2], shrink.NewIsr);
        Assert.Equal(7, shrink.PartitionEpoch);
        Assert.Equal(5, shrink.LeaderEpoch);
        Assert.Contains((2, 11L), shrink.Members);
        // One change at a time; the committed ISR still counts until the answer.
        Assert.Null(_partition.MaybeShrinkIsr(Now + 20_001, lag));
        Assert.Equal([1, 2, 3], _partition.Isr);

        _partition.CompleteIsrChange(shrink, ErrorCode.None, [1, 2], 8, 5);
        Assert.Equal([1, 2], _partition.Isr);
        Assert.Equal(8, _partition.PartitionEpoch);
        Assert.Equal(5, _log.HighWatermark);
    }

    [Fact]
    public void AFollowerAtTheLeadersLogEnd_IsInSyncHoweverLongAgoItFetched()
    {
        Fetch(2, 0);
        Fetch(3, 0);
        Assert.Null(_partition.MaybeShrinkIsr(Now + 60_000, 10_000));
    }

    [Fact]
    public void Expand_WhenAFollowerReachesTheHighWatermark_CountingItAtOnce()
    {
        _partition.ApplyLeaderImage(Image(isr: [1, 2], partitionEpoch: 8), Now);
        Produce(6);
        Fetch(2, 6);
        Assert.Equal(6, _log.HighWatermark);
        Produce(4);
        Assert.Equal(ErrorCode.None, _partition.RecordFollowerFetch(3, 12, 3, _log.LogEndOffset, Now, out var early));
        Assert.Null(early);
        Assert.Equal(ErrorCode.None, _partition.RecordFollowerFetch(3, 12, 6, _log.LogEndOffset, Now, out var expansion));
        Assert.NotNull(expansion);
        Assert.Equal([1, 2, 3], expansion.NewIsr);
        Assert.Equal(8, expansion.PartitionEpoch);
        // The maximal ISR: replica 3 (at 6) holds the high watermark even before the commit.
        Fetch(2, 10);
        Assert.Equal(6, _log.HighWatermark);

        // Refused as not applied: dropped, and proposed again by the next fetch.
        Assert.False(_partition.CompleteIsrChange(expansion, ErrorCode.IneligibleReplica, null, -1, -1));
        Assert.Null(_partition.PendingIsrChange);
        Assert.Equal(10, _log.HighWatermark);
        _partition.RecordFollowerFetch(3, 12, 10, _log.LogEndOffset, Now, out var again);
        Assert.NotNull(again);
        // The image brings the commit first: the pending change is settled by it.
        _partition.ApplyLeaderImage(Image(isr: [1, 2, 3], partitionEpoch: 9), Now);
        Assert.Null(_partition.PendingIsrChange);
        Assert.Equal([1, 2, 3], _partition.Isr);
    }

    [Fact]
    public void AnExpansionWhoseOutcomeIsUnknown_KeepsCountingTheJoiningReplica()
    {
        // The controller committed [1, 2, 3] but its answer was lost; the retry is refused with a stale partition epoch.
        _partition.ApplyLeaderImage(Image(isr: [1, 2], partitionEpoch: 8), Now);
        Produce(6);
        Fetch(2, 6);
        _partition.RecordFollowerFetch(3, 12, 6, _log.LogEndOffset, Now, out var expansion);
        Assert.NotNull(expansion);
        Produce(4);
        Fetch(2, 10);
        Assert.True(_partition.CompleteIsrChange(expansion, ErrorCode.RequestTimedOut, null, -1, -1));
        Assert.False(_partition.CompleteIsrChange(expansion, ErrorCode.InvalidUpdateVersion, null, -1, -1));
        // Replica 3 may be elected from the controller's ISR: acks=all must wait for it.
        Assert.Same(expansion, _partition.PendingIsrChange);
        Assert.Equal(6, _log.HighWatermark);
        Assert.Null(_partition.MaybeShrinkIsr(Now + 60_000, 10_000));
        _partition.ApplyLeaderImage(Image(isr: [1, 2, 3], partitionEpoch: 9), Now);
        Assert.Null(_partition.PendingIsrChange);
        Fetch(3, 10);
        Assert.Equal(10, _log.HighWatermark);
    }

    [Fact]
    public void BecomingLeader_StartsTheEpochAtTheLogEnd()
    {
        Produce(3);
        _partition.MakeFollower(Image(isr: [1, 2, 3], leader: 2, leaderEpoch: 6));
        _partition.MakeLeader(Image(isr: [1, 2, 3], leaderEpoch: 7), Now);
        Assert.Equal(new EpochEndOffset(5, 3), _log.EndOffsetForEpoch(6));
        Assert.Equal(7, _log.LatestEpoch);
        Assert.True(_partition.IsLeader);
    }

    [Theory]
    // No end offset from the leader: back to the high watermark.
    [InlineData(-1, -1, 3, 10, 100, 4, 4)]
    // Same epoch here: the smaller of the two ends.
    [InlineData(3, 10, 3, 12, 100, 4, 10)]
    [InlineData(3, 10, 3, 8, 100, 4, 8)]
    // An older epoch here: where that one ends here; the next fetch checks again.
    [InlineData(3, 10, 2, 7, 100, 4, 7)]
    // Never past the log end.
    [InlineData(3, 50, 3, 60, 20, 4, 20)]
    public void TruncationOffset_FollowsKafkasFollowerRules(int leaderEpoch, long leaderEnd, int localEpoch, long localEnd, long logEnd, long highWatermark, long expected) =>
        Assert.Equal(expected, ReplicaFetcher.TruncationOffset(new EpochEndOffset(localEpoch, localEnd), leaderEpoch, leaderEnd, logEnd, highWatermark));

    [Fact]
    public void OffsetForLeaderEpoch_AnswersFromTheEpochCache_AndChecksTheCurrentEpoch()
    {
        Produce(3);
        _partition.MakeLeader(Image(isr: [1, 2, 3], leaderEpoch: 8), Now);
        Produce(2);
        OffsetForLeaderEpochResponse.EpochEndOffset Ask(int epoch, int current = -1) =>
            OffsetForLeaderEpochHandler.Lookup(_partition, ErrorCode.None, new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = 0, LeaderEpoch = epoch, CurrentLeaderEpoch = current });

        Assert.Equal((5, 3L), (Ask(5).LeaderEpoch, Ask(5).EndOffset));
        Assert.Equal((5, 3L), (Ask(7).LeaderEpoch, Ask(7).EndOffset));
        Assert.Equal((8, 5L), (Ask(8).LeaderEpoch, Ask(8).EndOffset));
        Assert.Equal((-1, -1L), (Ask(9).LeaderEpoch, Ask(9).EndOffset));
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, Ask(8, current: 7).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, Ask(8, current: 9).ErrorCode);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, OffsetForLeaderEpochHandler.Lookup(null, ErrorCode.NotLeaderOrFollower, new OffsetForLeaderEpochRequest.OffsetForLeaderPartition()).ErrorCode);
        // Batches appended in epoch 8 carry it.
        var read = _log.Read(3, int.MaxValue, long.MaxValue, minOneMessage: true).Records;
        var bytes = new byte[read.Length];
        read.CopyTo(0, bytes);
        Assert.Equal(8, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(RecordBatch.PartitionLeaderEpochOffset)));
    }

    public void Dispose()
    {
        _log.Close();
        _dir.Delete(recursive: true);
    }
}
