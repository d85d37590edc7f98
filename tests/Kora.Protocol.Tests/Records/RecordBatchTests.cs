using System.Text;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.Protocol.Tests.Records;

public class RecordBatchTests
{
    private static byte[] Batch(int records, long timestamp = 1_700_000_000_000)
    {
        var builder = new RecordBatchBuilder(timestamp);
        for (var i = 0; i < records; i++)
        {
            builder.Add(Encoding.UTF8.GetBytes($"key-{i}"), Encoding.UTF8.GetBytes($"value-{i}"), timestamp + i);
        }
        return builder.Build();
    }

    [Fact]
    public void Crc32C_KnownVector_Matches()
    {
        // The CRC-32C check value from RFC 3720 for the ASCII digits 1-9.
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Builder_ProducesBatchThatValidates()
    {
        var bytes = Batch(3);
        var result = RecordBatchValidator.Validate(bytes, int.MaxValue);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(3, result.RecordCount);
        var batch = new RecordBatch(bytes);
        Assert.Equal(2, batch.LastOffsetDelta);
        Assert.Equal(1_700_000_000_002, batch.MaxTimestamp);
    }

    [Fact]
    public void AssignOffsets_KeepsCrcValid()
    {
        var bytes = Batch(2);
        var batch = new RecordBatch(bytes);
        batch.AssignOffsets(42, 7);
        Assert.Equal(42, batch.BaseOffset);
        Assert.Equal(43, batch.LastOffset);
        Assert.Equal(7, batch.PartitionLeaderEpoch);
        Assert.True(batch.IsCrcValid);
    }

    [Fact]
    public void SetLogAppendTime_RewritesCrc()
    {
        var bytes = Batch(2);
        var batch = new RecordBatch(bytes);
        batch.SetLogAppendTime(1_800_000_000_000);
        Assert.True(batch.IsLogAppendTime);
        Assert.Equal(1_800_000_000_000, batch.MaxTimestamp);
        Assert.True(batch.IsCrcValid);
    }

    [Fact]
    public void Validate_FlippedByte_IsCorruptMessage()
    {
        var bytes = Batch(2);
        bytes[^3] ^= 0xFF;
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(bytes, int.MaxValue).Error);
    }

    [Fact]
    public void Validate_Truncated_IsCorruptMessage()
    {
        var bytes = Batch(2);
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(bytes.AsSpan(0, bytes.Length - 1), int.MaxValue).Error);
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(bytes.AsSpan(0, 20), int.MaxValue).Error);
    }

    [Fact]
    public void Validate_OldMagic_IsUnsupportedForMessageFormat()
    {
        var bytes = Batch(1);
        bytes[RecordBatch.MagicOffset] = 1;
        Assert.Equal(ErrorCode.UnsupportedForMessageFormat, RecordBatchValidator.Validate(bytes, int.MaxValue).Error);
    }

    [Fact]
    public void Validate_OverMaxMessageBytes_IsMessageTooLarge()
    {
        var bytes = Batch(10);
        Assert.Equal(ErrorCode.MessageTooLarge, RecordBatchValidator.Validate(bytes, bytes.Length - 1).Error);
    }

    [Fact]
    public void Validate_SeveralBatches_CountsAll()
    {
        var first = Batch(2);
        var second = Batch(3);
        var both = first.Concat(second).ToArray();
        var result = RecordBatchValidator.Validate(both, int.MaxValue);
        Assert.True(result.IsValid);
        Assert.Equal(2, result.BatchCount);
        Assert.Equal(5, result.RecordCount);
    }

    [Fact]
    public void RecordReader_ReadsKeyValueAndDeltas()
    {
        var bytes = Batch(2);
        var batch = new RecordBatch(bytes);
        var records = batch.RecordsBytes;
        var first = new RecordReader(records);
        Assert.Equal("key-0", Encoding.UTF8.GetString(first.Key));
        Assert.Equal("value-0", Encoding.UTF8.GetString(first.Value));
        var second = new RecordReader(records[first.TotalSize..]);
        Assert.Equal(1, second.OffsetDelta);
        Assert.Equal(1, second.TimestampDelta);
    }
}
