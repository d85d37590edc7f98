using System.Buffers.Binary;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Epochs;
using Kora.Storage.Log;
using Kora.Storage.Tests.Producers;

namespace Kora.Storage.Tests.Log;

/// <summary>
/// A follower's append keeps the leader's offsets and epochs byte for byte, maintains the epoch cache and
/// producer state, and refuses corrupt or misplaced data; truncation takes the epoch cache along.
/// </summary>
public sealed class FollowerAppendTests : LogTestBase
{
    /// <summary>Batches as a leader in <paramref name="epoch"/> stores them, starting at <paramref name="baseOffset"/>.</summary>
    private static byte[] Leader(long baseOffset, int epoch, params byte[][] batches)
    {
        var all = TestBatch.Concat(batches);
        var offset = baseOffset;
        for (var at = 0; at < all.Length;)
        {
            var batch = new RecordBatch(all.AsSpan(at));
            batch.AssignOffsets(offset, epoch);
            offset = batch.LastOffset + 1;
            at += batch.SizeInBytes;
        }
        return all;
    }

    [Fact]
    public void FollowerAppend_KeepsOffsetsAndEpochs_AndTracksEpochStarts()
    {
        var log = Open();
        var first = Leader(0, 1, TestBatch.Create(records: 3), TestBatch.Create(records: 2));
        var second = Leader(5, 4, TestBatch.Create(records: 1));
        Assert.Equal(ErrorCode.None, log.AppendAsFollower((byte[])first.Clone(), 0).Error);
        var result = log.AppendAsFollower((byte[])second.Clone(), 0);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(5, result.BaseOffset);
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(TestBatch.Concat(first, second), ReadAll(log));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(4, 5)], log.LeaderEpochs.Entries);
        Assert.Equal(new EpochEndOffset(1, 5), log.EndOffsetForEpoch(2));
    }

    [Fact]
    public void FollowerAppend_LeavesAPartialBatch_RefusesCorruptAndMisplacedData()
    {
        var log = Open();
        var data = Leader(0, 1, TestBatch.Create(records: 2), TestBatch.Create(records: 2));
        var partial = data[..(data.Length - 10)];
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(partial, 0).Error);
        Assert.Equal(2, log.LogEndOffset);

        Assert.Equal(ErrorCode.OffsetOutOfRange, log.AppendAsFollower(Leader(5, 1, TestBatch.Create()), 0).Error);
        var corrupt = Leader(2, 1, TestBatch.Create());
        corrupt[^1] ^= 0xFF;
        Assert.Equal(ErrorCode.CorruptMessage, log.AppendAsFollower(corrupt, 0).Error);
        Assert.Equal(2, log.LogEndOffset);
    }

    [Fact]
    public void FollowerHighWatermark_IsTheLeadersCappedAtTheLogEnd()
    {
        var log = Open();
        log.AppendAsFollower(Leader(0, 1, TestBatch.Create(records: 4)), 0);
        log.SetFollowerHighWatermark(2);
        Assert.Equal(2, log.HighWatermark);
        log.SetFollowerHighWatermark(10);
        Assert.Equal(4, log.HighWatermark);
    }

    [Fact]
    public void Truncation_DropsEpochsOfTheRemovedTail_AndTheCheckpointSurvivesReopen()
    {
        var log = Open();
        log.AppendAsFollower(Leader(0, 1, TestBatch.Create(records: 3)), 0);
        log.AppendAsFollower(Leader(3, 2, TestBatch.Create(records: 3)), 0);
        log.Truncate(3);
        Assert.Equal([new EpochEntry(1, 0)], log.LeaderEpochs.Entries);
        log.AssignLeaderEpoch(5);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(5, 3)], log.LeaderEpochs.Entries);
        log.AppendAsFollower(Leader(3, 5, TestBatch.Create()), 0);
        log.Close();

        var reopened = Open();
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(5, 3)], reopened.LeaderEpochs.Entries);
        Assert.Equal(new EpochEndOffset(1, 3), reopened.EndOffsetForEpoch(4));
    }

    [Fact]
    public void TruncateAtTheEnd_ForgetsAnEpochAssignedWithoutData()
    {
        // A leader of epoch 5 that wrote nothing, then a follower of a leader whose epoch 1 ends at 3: the
        // truncation to 3 removes no data, but epoch 5 must go, or it stays the last fetched epoch and diverges forever.
        var log = Open();
        log.AppendAsFollower(Leader(0, 1, TestBatch.Create(records: 3)), 0);
        log.AssignLeaderEpoch(5);
        Assert.Equal(5, log.LatestEpoch);
        log.Truncate(3);
        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal(1, log.LatestEpoch);
        Assert.Equal([new EpochEntry(1, 0)], log.LeaderEpochs.Entries);
        log.Close();
        Assert.Equal([new EpochEntry(1, 0)], Open().LeaderEpochs.Entries);
    }

    [Fact]
    public void LeaderAppend_RecordsItsEpochOnce()
    {
        var log = Open();
        Append(log, TestBatch.Create());
        Append(log, TestBatch.Create());
        // LogTestBase appends in epoch 3.
        Assert.Equal([new EpochEntry(3, 0)], log.LeaderEpochs.Entries);
    }

    [Fact]
    public void TruncateFullyAndStartAt_StartsAnEmptyLogAtTheOffset()
    {
        var log = Open();
        log.AppendAsFollower(Leader(0, 1, TestBatch.Create(records: 3)), 0);
        log.TruncateFullyAndStartAt(50);
        Assert.Equal(50, log.LogStartOffset);
        Assert.Equal(50, log.LogEndOffset);
        Assert.Empty(log.LeaderEpochs.Entries);
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(Leader(50, 2, TestBatch.Create()), 0).Error);
        Assert.Equal(51, log.LogEndOffset);
    }

    [Fact]
    public void FollowerAppend_OfProducerBatches_KeepsProducerState_SoAPromotedFollowerDeduplicates()
    {
        var log = Open();
        var batch = Leader(0, 1, IdempotentBatch.Create(producerId: 7, epoch: 0, baseSequence: 0, records: 2));
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(batch, 0).Error);
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(RecordBatch.PartitionLeaderEpochOffset)));

        // Promoted to leader, it answers the producer's retry with the original offsets.
        var retry = log.Append(IdempotentBatch.Create(producerId: 7, epoch: 0, baseSequence: 0, records: 2), 0, leaderEpoch: 2);
        Assert.True(retry.IsDuplicate);
        Assert.Equal(0, retry.BaseOffset);
        var next = log.Append(IdempotentBatch.Create(producerId: 7, epoch: 0, baseSequence: 2), 0, leaderEpoch: 2);
        Assert.Equal(ErrorCode.None, next.Error);
        Assert.Equal(2, next.BaseOffset);
    }

    [Fact]
    public void FollowerAppend_OfAnOpenTransaction_HoldsTheLastStableOffset()
    {
        var log = Open();
        log.AppendAsFollower(Leader(0, 1, IdempotentBatch.Create(producerId: 9, epoch: 0, baseSequence: 0, records: 2, transactional: true)), 0);
        log.SetFollowerHighWatermark(2);
        Assert.Equal(0, log.LastStableOffset);
    }
}
