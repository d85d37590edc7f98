using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.Protocol.Tests.Records;

/// <summary>Sequence arithmetic, transaction markers, and the produce-time rules for batches with a producer id.</summary>
public class ProducerBatchRulesTests
{
    [Theory]
    [InlineData(0, 4, 4)]
    [InlineData(int.MaxValue - 1, 1, int.MaxValue)]
    [InlineData(int.MaxValue, 1, 0)]
    [InlineData(int.MaxValue - 1, 3, 1)]
    public void IncrementSequence_WrapsPastIntMaxValueToZero(int sequence, int increment, int expected) =>
        Assert.Equal(expected, RecordBatch.IncrementSequence(sequence, increment));

    [Fact]
    public void LastSequence_OfABatchWithoutSequence_IsMinusOne()
    {
        var bytes = new RecordBatchBuilder(0).Add("k"u8, "v"u8, 0).Add("k"u8, "v"u8, 0).Build();
        Assert.Equal(-1, new RecordBatch(bytes).LastSequence);
        var sequenced = new RecordBatchBuilder(0, producerId: 5, producerEpoch: 0, baseSequence: int.MaxValue).Add("k"u8, "v"u8, 0).Add("k"u8, "v"u8, 0).Build();
        Assert.Equal(0, new RecordBatch(sequenced).LastSequence);
    }

    [Theory]
    [InlineData(true, ControlRecordType.Commit)]
    [InlineData(false, ControlRecordType.Abort)]
    public void MarkerBatch_RoundTrips(bool committed, ControlRecordType type)
    {
        var bytes = EndTransactionMarker.BuildBatch(77, 3, 12, committed, 1_000);
        var batch = new RecordBatch(bytes);

        Assert.True(batch.IsControl && batch.IsTransactional && batch.IsCrcValid);
        Assert.Equal(77, batch.ProducerId);
        Assert.Equal(3, batch.ProducerEpoch);
        Assert.True(EndTransactionMarker.TryRead(batch, out var marker));
        Assert.Equal(new EndTransactionMarker(type, 12), marker);
    }

    [Fact]
    public void DataBatch_IsNotAMarker()
    {
        var bytes = new RecordBatchBuilder(0).Add("k"u8, "v"u8, 0).Build();
        Assert.False(EndTransactionMarker.TryRead(new RecordBatch(bytes), out _));
    }

    [Fact]
    public void Validator_RefusesControlBatchesFromClients()
    {
        var bytes = EndTransactionMarker.BuildBatch(77, 0, 0, committed: true, 0);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(bytes, int.MaxValue).Error);
    }

    [Fact]
    public void Validator_RefusesAProducerIdWithoutSequence()
    {
        var bytes = new RecordBatchBuilder(0, producerId: 77, producerEpoch: 0, baseSequence: -1).Add("k"u8, "v"u8, 0).Build();
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(bytes, int.MaxValue).Error);
        var idempotent = new RecordBatchBuilder(0, producerId: 77, producerEpoch: 0, baseSequence: 0).Add("k"u8, "v"u8, 0).Build();
        Assert.True(RecordBatchValidator.Validate(idempotent, int.MaxValue).IsValid);
    }
}
