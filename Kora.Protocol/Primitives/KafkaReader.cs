using System.Buffers.Binary;
using System.Text;

namespace Kora.Protocol.Primitives;

/// <summary>
/// Reads Kafka's primitive types from one contiguous frame. Byte and record fields come back as slices of
/// the frame, so record batches are never copied while a request is parsed.
/// </summary>
public ref struct KafkaReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _span.Length - _position;
    public readonly bool End => _position >= _span.Length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _span.Length - _position)
        {
            throw new KafkaProtocolException($"Need {count} bytes at {_position}, frame has {_span.Length}.");
        }
        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    public sbyte ReadInt8() => (sbyte)Take(1)[0];
    public bool ReadBool() => Take(1)[0] != 0;
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));
    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarInt()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new KafkaProtocolException("Unsigned varint is longer than 5 bytes.");
    }

    public int ReadVarInt()
    {
        var raw = ReadUnsignedVarInt();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public ulong ReadUnsignedVarLong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Take(1)[0];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new KafkaProtocolException("Unsigned varlong is longer than 10 bytes.");
    }

    public long ReadVarLong()
    {
        var raw = ReadUnsignedVarLong();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>Length of a string, bytes or array: -1 means null. Compact forms store length + 1.</summary>
    public int ReadLength(bool compact, bool wide = false)
    {
        if (compact)
        {
            return (int)ReadUnsignedVarInt() - 1;
        }
        return wide ? ReadInt32() : ReadInt16();
    }

    public string? ReadString(bool compact, bool nullable)
    {
        var length = ReadLength(compact);
        if (length < 0)
        {
            return nullable ? null : throw new KafkaProtocolException("Null string in a non-nullable field.");
        }
        return Encoding.UTF8.GetString(Take(length));
    }

    public ReadOnlyMemory<byte>? ReadBytes(bool compact, bool nullable)
    {
        var length = ReadLength(compact, wide: true);
        if (length < 0)
        {
            return nullable ? null : throw new KafkaProtocolException("Null bytes in a non-nullable field.");
        }
        var start = _position;
        Take(length);
        return _memory.Slice(start, length);
    }

    public int ReadArrayLength(bool compact)
    {
        var length = compact ? (int)ReadUnsignedVarInt() - 1 : ReadInt32();
        // Every element takes at least one byte, so a larger count can only come from a corrupt frame.
        if (length > Remaining)
        {
            throw new KafkaProtocolException($"Array of {length} elements in {Remaining} bytes.");
        }
        return length;
    }

    public ReadOnlyMemory<byte> ReadRaw(int count)
    {
        var start = _position;
        Take(count);
        return _memory.Slice(start, count);
    }

    public void Skip(int count) => Take(count);
}
