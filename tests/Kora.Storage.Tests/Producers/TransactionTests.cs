using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Log;

namespace Kora.Storage.Tests.Producers;

public sealed class TransactionTests : ProducerLogTestBase
{
    [Fact]
    public void OngoingTransaction_HoldsTheLastStableOffset_UntilItsCommit()
    {
        var log = Open();
        Produce(log, 1, 0, 0);
        Produce(log, 2, 0, 0, records: 2, transactional: true);
        Produce(log, 1, 0, 1);

        Assert.Equal(4, log.HighWatermark);
        Assert.Equal(1, log.LastStableOffset);

        var marker = Marker(log, 2, 0, commit: true);

        Assert.Equal(ErrorCode.None, marker.Error);
        Assert.Equal(4, marker.BaseOffset);
        Assert.Equal(5, log.LastStableOffset);
        Assert.Null(log.CollectAbortedTransactions(0, 5));
        Assert.Equal(-1, log.GetProducerState(2)!.CurrentTxnFirstOffset);
    }

    [Fact]
    public void Abort_IsIndexedWithItsRange_AndFoundByOverlappingFetches()
    {
        var log = Open();
        Produce(log, 2, 0, 0, records: 2, transactional: true);
        Produce(log, 1, 0, 0);
        Marker(log, 2, 0, commit: false);
        Produce(log, 1, 0, 1);

        Assert.Equal(5, log.LastStableOffset);
        var aborted = Assert.Single(log.CollectAbortedTransactions(0, 5)!);
        Assert.Equal(new AbortedTxn(2, 0, 3, 4), aborted);
        Assert.Single(log.CollectAbortedTransactions(1, 2)!);
        Assert.Null(log.CollectAbortedTransactions(4, 5));
    }

    [Fact]
    public void AbortedEntry_RecordsTheOtherOngoingTransaction_AsItsLastStableOffset()
    {
        var log = Open();
        Produce(log, 1, 0, 0, transactional: true);
        Produce(log, 2, 0, 0, transactional: true);
        Marker(log, 2, 0, commit: false);

        Assert.Equal(new AbortedTxn(2, 1, 2, 0), Assert.Single(log.CollectAbortedTransactions(0, 3)!));
        Assert.Equal(0, log.LastStableOffset);

        Marker(log, 1, 0, commit: true);
        Assert.Equal(4, log.LastStableOffset);
    }

    [Fact]
    public void DecidedTransaction_StaysUnstable_UntilTheHighWatermarkPassesItsMarker()
    {
        var log = Open();
        Produce(log, 2, 0, 0, records: 3, transactional: true);

        var marker = log.AppendEndTxnMarker(2, 0, 0, committed: true, leaderEpoch: 0);

        Assert.Equal(3, marker.BaseOffset);
        Assert.Equal(3, log.HighWatermark);
        Assert.Equal(0, log.LastStableOffset);
        log.UpdateHighWatermark(log.LogEndOffset);
        Assert.Equal(4, log.LastStableOffset);
    }

    [Fact]
    public void Marker_FromAnOlderCoordinatorEpoch_IsFenced()
    {
        var log = Open();
        Produce(log, 2, 0, 0, transactional: true);
        Assert.Equal(ErrorCode.None, Marker(log, 2, 0, commit: true, coordinatorEpoch: 5).Error);
        Produce(log, 2, 0, 1, transactional: true);

        Assert.Equal(ErrorCode.TransactionCoordinatorFenced, Marker(log, 2, 0, commit: true, coordinatorEpoch: 4).Error);
        Assert.Equal(ErrorCode.None, Marker(log, 2, 0, commit: true, coordinatorEpoch: 5).Error);
    }

    [Fact]
    public void Marker_WithAnOlderProducerEpoch_IsRefused()
    {
        var log = Open();
        Produce(log, 2, 3, 0, transactional: true);
        var end = log.LogEndOffset;

        Assert.Equal(ErrorCode.InvalidProducerEpoch, Marker(log, 2, 2, commit: false).Error);
        Assert.Equal(end, log.LogEndOffset);
        Assert.Equal(0, log.LastStableOffset);
    }

    [Fact]
    public void MarkerWithABumpedEpoch_EndsTheTransaction_AndNewDataStartsAtSequenceZero()
    {
        var log = Open();
        Produce(log, 2, 0, 0, records: 4, transactional: true);

        Assert.Equal(ErrorCode.None, Marker(log, 2, 1, commit: false).Error);

        Assert.Equal(1, log.GetProducerState(2)!.ProducerEpoch);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Produce(log, 2, 1, 4, transactional: true).Error);
        Assert.Equal(ErrorCode.None, Produce(log, 2, 1, 0, transactional: true).Error);
    }

    [Fact]
    public void NonTransactionalBatch_DuringATransaction_IsInvalidTxnState()
    {
        var log = Open();
        Produce(log, 2, 0, 0, transactional: true);

        Assert.Equal(ErrorCode.InvalidTxnState, Produce(log, 2, 0, 1).Error);
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public void Marker_WithoutTransaction_IsWrittenButChangesNoStableOffsetOrIndex()
    {
        var log = Open();
        Produce(log, 1, 0, 0);

        var marker = Marker(log, 9, 0, commit: false);

        Assert.Equal(ErrorCode.None, marker.Error);
        Assert.Equal(2, log.LastStableOffset);
        Assert.Null(log.CollectAbortedTransactions(0, 2));
        Assert.Equal(0, log.GetProducerState(9)!.ProducerEpoch);
    }

    [Fact]
    public void MarkerBatch_IsAControlBatchWithKafkasRecordLayout()
    {
        var log = Open();
        Produce(log, 2, 4, 0, transactional: true);
        Marker(log, 2, 4, commit: true, coordinatorEpoch: 17);

        var stored = ReadAll(log, 1);
        var batch = new RecordBatch(stored);
        Assert.True(batch.IsControl);
        Assert.True(batch.IsTransactional);
        Assert.Equal(2, batch.ProducerId);
        Assert.Equal(4, batch.ProducerEpoch);
        Assert.Equal(-1, batch.BaseSequence);
        Assert.True(batch.IsCrcValid);
        var record = new RecordReader(batch.RecordsBytes);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, record.Key.ToArray());
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 17 }, record.Value.ToArray());
        Assert.True(EndTransactionMarker.TryRead(batch, out var marker));
        Assert.Equal(new EndTransactionMarker(ControlRecordType.Commit, 17), marker);
    }

    [Fact]
    public void LastStableOffset_NeverFallsBelowTheLogStart()
    {
        var log = Open();
        Produce(log, 2, 0, 0, transactional: true);
        Produce(log, 1, 0, 0, records: 3);

        log.DeleteRecordsBefore(2);

        Assert.Equal(2, log.LastStableOffset);
    }
}
