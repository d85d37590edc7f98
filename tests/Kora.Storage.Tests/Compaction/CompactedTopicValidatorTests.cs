using System.Text;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.Storage.Tests.Compaction;

public class CompactedTopicValidatorTests
{
    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Gzip)]
    [InlineData(CompressionCodec.Snappy)]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.Zstd)]
    public void KeyedRecords_AreAccepted(CompressionCodec codec)
    {
        var batch = KeyedBatch.Create([("a", "1"), ("b", null), ("a", "2")], codec: codec);
        Assert.Equal(ErrorCode.None, CompactedTopicValidator.Validate(batch, int.MaxValue, out var index));
        Assert.Equal(-1, index);
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.Zstd)]
    public void KeylessRecord_IsInvalidRecord_WithItsIndex(CompressionCodec codec)
    {
        var builder = new RecordBatchBuilder(1_700_000_000_000);
        builder.Add(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"), 1_700_000_000_000);
        builder.Add(default, Encoding.UTF8.GetBytes("no key"), 1_700_000_000_001, nullKey: true);
        var plain = builder.Build();
        var batch = codec == CompressionCodec.None ? plain : KeyedBatch.Compress(plain, codec);
        Assert.Equal(ErrorCode.InvalidRecord, CompactedTopicValidator.Validate(batch, int.MaxValue, out var index));
        Assert.Equal(1, index);
    }

    [Fact]
    public void ControlBatches_AreNotChecked()
    {
        var marker = KeyedBatch.Control(7, 0, commit: true);
        Assert.Equal(ErrorCode.None, CompactedTopicValidator.Validate(marker, int.MaxValue, out _));
    }

    [Fact]
    public void GarbledCompressedRecords_AreCorruptMessage()
    {
        var batch = KeyedBatch.Create([("a", "1")], codec: CompressionCodec.Gzip);
        batch[^3] ^= 0xFF;
        Assert.Equal(ErrorCode.CorruptMessage, CompactedTopicValidator.Validate(batch, int.MaxValue, out _));
    }
}
