using Kora.Broker.Groups;
using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

public class TransactionMetadataTests
{
    private static readonly TopicPartitionKey P0 = new("out", 0);

    [Theory]
    [InlineData(TransactionState.Empty, TransactionState.Ongoing, true)]
    [InlineData(TransactionState.CompleteCommit, TransactionState.Ongoing, true)]
    [InlineData(TransactionState.CompleteAbort, TransactionState.Empty, true)]
    [InlineData(TransactionState.Ongoing, TransactionState.PrepareCommit, true)]
    [InlineData(TransactionState.Ongoing, TransactionState.PrepareAbort, true)]
    [InlineData(TransactionState.PrepareEpochFence, TransactionState.PrepareAbort, true)]
    [InlineData(TransactionState.PrepareCommit, TransactionState.CompleteCommit, true)]
    [InlineData(TransactionState.PrepareAbort, TransactionState.CompleteAbort, true)]
    [InlineData(TransactionState.CompleteCommit, TransactionState.Dead, true)]
    [InlineData(TransactionState.Ongoing, TransactionState.PrepareEpochFence, true)]
    [InlineData(TransactionState.Empty, TransactionState.PrepareCommit, false)]
    [InlineData(TransactionState.Ongoing, TransactionState.Empty, false)]
    [InlineData(TransactionState.PrepareCommit, TransactionState.CompleteAbort, false)]
    [InlineData(TransactionState.PrepareAbort, TransactionState.Ongoing, false)]
    [InlineData(TransactionState.Ongoing, TransactionState.Dead, false)]
    [InlineData(TransactionState.Dead, TransactionState.Empty, false)]
    public void TransitionTable_IsKafkas(TransactionState from, TransactionState to, bool valid) =>
        Assert.Equal(valid, TransactionMetadata.IsValidTransition(from, to));

    [Fact]
    public void APendingChange_BlocksAnother_AndMustBeCompletedAsPrepared()
    {
        var m = new TransactionMetadata("t") { ProducerId = 5, ProducerEpoch = 0 };
        var transit = m.PrepareAddPartitions([P0], 100);
        Assert.Equal(TransactionState.Ongoing, m.PendingState);
        Assert.Throws<InvalidOperationException>(() => m.PrepareDead());
        Assert.Throws<InvalidOperationException>(() => m.CompleteTransition(transit with { State = TransactionState.PrepareCommit }));
        m.CompleteTransition(transit);
        Assert.Null(m.PendingState);
        Assert.Equal(TransactionState.Ongoing, m.State);
        Assert.Equal(100, m.StartTimestampMs);
        Assert.Throws<InvalidOperationException>(() => m.PrepareComplete(200));
    }

    [Fact]
    public void EpochFence_BumpsOnce_EvenAfterAFailedAttempt()
    {
        var m = new TransactionMetadata("t") { ProducerId = 5, ProducerEpoch = 3, State = TransactionState.Ongoing };
        Assert.Equal(4, m.PrepareFenceProducerEpoch().ProducerEpoch);
        m.PendingState = null;
        m.ProducerEpoch = 4;
        m.HasFailedEpochFence = true;
        Assert.Equal(4, m.PrepareFenceProducerEpoch().ProducerEpoch);
    }

    [Fact]
    public void EpochAtTheLimit_IsExhausted_AndNotBumpedPastMaxValue()
    {
        Assert.False(TransactionMetadata.IsEpochExhausted(short.MaxValue - 2));
        Assert.True(TransactionMetadata.IsEpochExhausted(short.MaxValue - 1));
        var m = new TransactionMetadata("t") { ProducerId = 5, ProducerEpoch = short.MaxValue, State = TransactionState.Ongoing };
        Assert.Equal(short.MaxValue, m.PrepareFenceProducerEpoch().ProducerEpoch);
    }

    [Fact]
    public void IncrementWithAStaleExpectedEpoch_IsFenced()
    {
        var m = new TransactionMetadata("t") { ProducerId = 5, ProducerEpoch = 6, LastProducerEpoch = 5 };
        Assert.Equal((ErrorCode.ProducerFenced, null), m.PrepareIncrementProducerEpoch(1000, 4, 10));
        Assert.Null(m.PendingState);
        var (error, retried) = m.PrepareIncrementProducerEpoch(1000, 5, 10);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(6, retried!.ProducerEpoch);
    }

    [Fact]
    public void StateNames_AreKafkas()
    {
        Assert.Equal("PrepareEpochFence", TransactionStates.Name(TransactionState.PrepareEpochFence));
        Assert.True(TransactionStates.TryParse("CompleteAbort", out var state));
        Assert.Equal(TransactionState.CompleteAbort, state);
        Assert.False(TransactionStates.TryParse("completeabort", out _));
    }
}
