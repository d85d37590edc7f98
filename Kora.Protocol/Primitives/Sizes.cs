using System.Numerics;
using System.Text;

namespace Kora.Protocol.Primitives;

/// <summary>Encoded sizes, used to compute a message's length before it is written.</summary>
public static class Sizes
{
    public static int UnsignedVarInt(uint value) => value == 0 ? 1 : (38 - BitOperations.LeadingZeroCount(value)) / 7;
    public static int UnsignedVarLong(ulong value) => value == 0 ? 1 : (70 - BitOperations.LeadingZeroCount(value)) / 7;
    public static int VarInt(int value) => UnsignedVarInt((uint)((value << 1) ^ (value >> 31)));
    public static int VarLong(long value) => UnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    public static int Length(int length, bool compact, bool wide = false) =>
        compact ? UnsignedVarInt((uint)(length + 1)) : wide ? 4 : 2;

    public static int String(string? value, bool compact)
    {
        if (value is null)
        {
            return Length(-1, compact);
        }
        var length = Encoding.UTF8.GetByteCount(value);
        return Length(length, compact) + length;
    }

    public static int Bytes(ReadOnlyMemory<byte>? value, bool compact) =>
        value is { } bytes ? Length(bytes.Length, compact, wide: true) + bytes.Length : Length(-1, compact, wide: true);

    public static int ArrayLength(int length, bool compact) => Length(length, compact, wide: true);
}
