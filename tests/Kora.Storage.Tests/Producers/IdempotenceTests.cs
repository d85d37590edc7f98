using Kora.Protocol.Primitives;
using Kora.Storage.Tests.Log;

namespace Kora.Storage.Tests.Producers;

public sealed class IdempotenceTests : ProducerLogTestBase
{
    [Fact]
    public void Retry_OfTheLastBatch_IsNotWrittenAndGetsItsOriginalOffsets()
    {
        var log = Open();
        Produce(log, 7, 0, 0, records: 3);
        var first = Produce(log, 7, 0, 3, records: 2);
        var end = log.LogEndOffset;

        var retry = Produce(log, 7, 0, 3, records: 2);

        Assert.Equal(ErrorCode.None, retry.Error);
        Assert.True(retry.IsDuplicate);
        Assert.Equal(first.BaseOffset, retry.BaseOffset);
        Assert.Equal(first.LastOffset, retry.LastOffset);
        Assert.Equal(end, log.LogEndOffset);
        Assert.Equal(2, TestBatch.Headers(ReadAll(log)).Count);
    }

    [Fact]
    public void Retry_OfAnyOfTheLastFiveBatches_IsADuplicate_AnOlderOneIsOutOfOrder()
    {
        var log = Open();
        var offsets = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            offsets.Add(Produce(log, 7, 0, i * 2, records: 2).BaseOffset);
        }

        var second = Produce(log, 7, 0, 2, records: 2);
        var evicted = Produce(log, 7, 0, 0, records: 2);

        Assert.True(second.IsDuplicate);
        Assert.Equal(offsets[1], second.BaseOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, evicted.Error);
        Assert.Equal(12, log.LogEndOffset);
    }

    [Fact]
    public void Gap_InSequence_IsRefusedAndNothingIsWritten()
    {
        var log = Open();
        Produce(log, 7, 0, 0, records: 5);

        var gap = Produce(log, 7, 0, 10);

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Equal(-1, gap.BaseOffset);
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(4, log.GetProducerState(7)!.LastSequence);
        Assert.Equal(ErrorCode.None, Produce(log, 7, 0, 5).Error);
    }

    [Fact]
    public void OlderEpoch_IsRefusedWithInvalidProducerEpoch()
    {
        var log = Open();
        Produce(log, 7, 3, 0);

        Assert.Equal(ErrorCode.InvalidProducerEpoch, Produce(log, 7, 2, 1).Error);
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public void EpochBump_RestartsSequencesAtZero()
    {
        var log = Open();
        Produce(log, 7, 0, 0, records: 5);

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Produce(log, 7, 1, 5).Error);
        Assert.Equal(ErrorCode.None, Produce(log, 7, 1, 0, records: 2).Error);
        var state = log.GetProducerState(7)!;
        Assert.Equal(1, state.ProducerEpoch);
        Assert.Equal(1, state.LastSequence);
        // The old epoch's batches are forgotten: its retry is now a stale epoch, not a duplicate.
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Produce(log, 7, 0, 0, records: 5).Error);
    }

    [Fact]
    public void UnknownProducer_MayStartAtAnySequence()
    {
        var log = Open();

        var result = Produce(log, 42, 5, 1234, records: 3);

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(1236, log.GetProducerState(42)!.LastSequence);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Produce(log, 42, 5, 1238).Error);
        Assert.Equal(ErrorCode.None, Produce(log, 42, 5, 1237).Error);
    }

    [Fact]
    public void Sequence_WrapsFromIntMaxValueToZero()
    {
        var log = Open();
        Produce(log, 7, 0, int.MaxValue - 1, records: 2);

        Assert.Equal(ErrorCode.None, Produce(log, 7, 0, 0).Error);

        // A batch may also wrap inside itself: MaxValue, 0, 1.
        Produce(log, 8, 0, int.MaxValue, records: 3);
        Assert.Equal(1, log.GetProducerState(8)!.LastSequence);
        Assert.True(Produce(log, 8, 0, int.MaxValue, records: 3).IsDuplicate);
        Assert.Equal(ErrorCode.None, Produce(log, 8, 0, 2).Error);
    }

    [Fact]
    public void SeveralBatchesOfSeveralProducers_InOneAppend_AreCheckedInOrder()
    {
        var log = Open();
        var batches = TestBatch.Concat(
            IdempotentBatch.Create(1, 0, 0, records: 2, timestamp: Time.NowMs),
            IdempotentBatch.Create(2, 0, 0, records: 1, timestamp: Time.NowMs),
            IdempotentBatch.Create(1, 0, 2, records: 3, timestamp: Time.NowMs));

        var result = log.Append(batches, Time.NowMs, 0);

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(4, log.GetProducerState(1)!.LastSequence);
        Assert.Equal(5, log.GetProducerState(1)!.LastOffset);
        Assert.Equal(2, log.GetProducerState(1)!.Batches.Count);
        Assert.Equal(0, log.GetProducerState(2)!.LastSequence);
    }

    [Fact]
    public void OneBadBatch_RefusesTheWholeAppend_AndChangesNoState()
    {
        var log = Open();
        Produce(log, 1, 0, 0);
        var batches = TestBatch.Concat(
            IdempotentBatch.Create(1, 0, 1, timestamp: Time.NowMs),
            IdempotentBatch.Create(2, 0, 0, timestamp: Time.NowMs),
            IdempotentBatch.Create(1, 0, 5, timestamp: Time.NowMs));

        var result = log.Append(batches, Time.NowMs, 0);

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, result.Error);
        Assert.Equal(1, log.LogEndOffset);
        Assert.Equal(0, log.GetProducerState(1)!.LastSequence);
        Assert.Null(log.GetProducerState(2));
    }

    [Fact]
    public void BatchesWithoutProducerId_LeaveNoProducerState()
    {
        var log = Open();
        Append(log, TestBatch.Create(records: 3));
        Append(log, TestBatch.Create(records: 3));

        Assert.Equal(0, log.ProducerCount);
        Assert.Equal(6, log.LogEndOffset);
    }

    [Fact]
    public void IdleProducers_Expire_ButNotOneInATransaction()
    {
        var log = Open(new Kora.Storage.Log.LogConfig { ProducerIdExpirationMs = 60_000 });
        Produce(log, 1, 0, 0);
        Produce(log, 2, 0, 0, transactional: true);
        Time.Advance(59_999);

        Assert.Equal(0, log.RemoveExpiredProducers(Time.NowMs));
        Time.Advance(1);
        Assert.Equal(1, log.RemoveExpiredProducers(Time.NowMs));

        Assert.Null(log.GetProducerState(1));
        Assert.NotNull(log.GetProducerState(2));
        // Forgotten, producer 1 may go on at its next sequence (or any other).
        Assert.Equal(ErrorCode.None, Produce(log, 1, 0, 1).Error);
    }
}
