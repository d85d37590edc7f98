using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Kora.Protocol.Primitives;

/// <summary>
/// Writes Kafka's primitive types into an <see cref="IBufferWriter{T}"/> (a PipeWriter on the network
/// path), asking it for more space as it goes, so a message of any size streams without a staging copy.
/// </summary>
public ref struct KafkaWriter
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _buffered;
    private long _written;

    public KafkaWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _span = output.GetSpan();
        _buffered = 0;
        _written = 0;
    }

    public readonly long BytesWritten => _written + _buffered;

    private Span<byte> Reserve(int count)
    {
        if (_span.Length - _buffered < count)
        {
            _output.Advance(_buffered);
            _written += _buffered;
            _buffered = 0;
            _span = _output.GetSpan(count);
        }
        var slice = _span.Slice(_buffered, count);
        _buffered += count;
        return slice;
    }

    /// <summary>Hands everything written to the underlying writer. Call once at the end.</summary>
    public void Flush()
    {
        _output.Advance(_buffered);
        _written += _buffered;
        _buffered = 0;
        _span = default;
    }

    public void WriteInt8(sbyte value) => Reserve(1)[0] = (byte)value;
    public void WriteBool(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);
    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Reserve(8), value);
    public void WriteUuid(Guid value) => value.TryWriteBytes(Reserve(16), bigEndian: true, out _);

    public void WriteUnsignedVarInt(uint value)
    {
        var span = Reserve(Sizes.UnsignedVarInt(value));
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i] = (byte)value;
    }

    public void WriteVarInt(int value) => WriteUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    public void WriteUnsignedVarLong(ulong value)
    {
        var span = Reserve(Sizes.UnsignedVarLong(value));
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i] = (byte)value;
    }

    public void WriteVarLong(long value) => WriteUnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    public void WriteLength(int length, bool compact, bool wide = false)
    {
        if (compact)
        {
            WriteUnsignedVarInt((uint)(length + 1));
        }
        else if (wide)
        {
            WriteInt32(length);
        }
        else
        {
            WriteInt16((short)length);
        }
    }

    public void WriteString(string? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact);
            return;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLength(length, compact);
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    public void WriteBytes(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is not { } bytes)
        {
            WriteLength(-1, compact, wide: true);
            return;
        }
        WriteLength(bytes.Length, compact, wide: true);
        WriteRaw(bytes.Span);
    }

    public void WriteArrayLength(int length, bool compact) => WriteLength(length, compact, wide: true);

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_span.Length - _buffered == 0)
            {
                Reserve(1);
                _buffered--;
            }
            var chunk = Math.Min(bytes.Length, _span.Length - _buffered);
            bytes[..chunk].CopyTo(_span[_buffered..]);
            _buffered += chunk;
            bytes = bytes[chunk..];
        }
    }

    /// <summary>Space for <paramref name="count"/> bytes that the caller fills itself (for example from a file).</summary>
    public Span<byte> GetSpan(int count) => Reserve(count);
}
