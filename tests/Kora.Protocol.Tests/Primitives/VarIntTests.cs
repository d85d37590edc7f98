using System.Buffers;
using Kora.Protocol.Primitives;

namespace Kora.Protocol.Tests.Primitives;

public class VarIntTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void VarInt_ZigZag_MatchesKafkaEncoding(int value, byte[] expected)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteVarInt(value);
        writer.Flush();
        Assert.Equal(expected, buffer.WrittenSpan.ToArray());
        Assert.Equal(expected.Length, Sizes.VarInt(value));
        var reader = new KafkaReader(expected);
        Assert.Equal(value, reader.ReadVarInt());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(1234567890123L)]
    public void VarLong_RoundTrips(long value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteVarLong(value);
        writer.Flush();
        Assert.Equal(buffer.WrittenCount, Sizes.VarLong(value));
        var reader = new KafkaReader(buffer.WrittenMemory);
        Assert.Equal(value, reader.ReadVarLong());
    }

    [Fact]
    public void UnsignedVarInt_LongerThanFiveBytes_IsRejected()
    {
        var bytes = new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
        var ex = Record.Exception(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadUnsignedVarInt();
        });
        Assert.IsType<KafkaProtocolException>(ex);
    }

    [Fact]
    public void CompactString_NullAndEmpty_AreDistinct()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteString(null, compact: true);
        writer.WriteString("", compact: true);
        writer.WriteString("kora", compact: false);
        writer.Flush();
        Assert.Equal(new byte[] { 0, 1, 0, 4, (byte)'k', (byte)'o', (byte)'r', (byte)'a' }, buffer.WrittenSpan.ToArray());
        var reader = new KafkaReader(buffer.WrittenMemory);
        Assert.Null(reader.ReadString(compact: true, nullable: true));
        Assert.Equal("", reader.ReadString(compact: true, nullable: false));
        Assert.Equal("kora", reader.ReadString(compact: false, nullable: false));
    }

    [Fact]
    public void Array_WithImpossibleLength_IsRejectedBeforeAllocating()
    {
        var bytes = new byte[] { 0x7F, 0xFF, 0xFF, 0xFF };
        var ex = Record.Exception(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadArrayLength(compact: false);
        });
        Assert.IsType<KafkaProtocolException>(ex);
    }
}
