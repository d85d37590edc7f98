using Kora.Protocol.Primitives;

namespace Kora.Protocol.Records;

/// <summary>
/// Parses one record of an uncompressed batch: length, attributes, timestamp and offset deltas, key,
/// value and headers (all varint-framed). Slices point into the batch; nothing is copied.
/// </summary>
public readonly ref struct RecordReader
{
    public RecordReader(ReadOnlySpan<byte> span)
    {
        var position = 0;
        var length = ReadVarInt(span, ref position);
        if (length < 0 || length > span.Length - position)
        {
            throw new KafkaProtocolException("Record length exceeds the batch.");
        }
        TotalSize = position + length;
        var body = span[position..TotalSize];
        var p = 0;
        if (body.IsEmpty)
        {
            throw new KafkaProtocolException("Empty record.");
        }
        p++; // attributes, unused in v2
        TimestampDelta = ReadVarLong(body, ref p);
        OffsetDelta = ReadVarInt(body, ref p);
        Key = ReadField(body, ref p, out var keyIsNull);
        KeyIsNull = keyIsNull;
        Value = ReadField(body, ref p, out var valueIsNull);
        ValueIsNull = valueIsNull;
        var headerCount = ReadVarInt(body, ref p);
        if (headerCount < 0)
        {
            throw new KafkaProtocolException("Negative header count.");
        }
        var headersStart = p;
        for (var i = 0; i < headerCount; i++)
        {
            var keyLength = ReadVarInt(body, ref p);
            if (keyLength < 0 || keyLength > body.Length - p)
            {
                throw new KafkaProtocolException("Bad header key.");
            }
            p += keyLength;
            ReadField(body, ref p, out _);
        }
        HeaderCount = headerCount;
        Headers = body[headersStart..p];
        if (p != body.Length)
        {
            throw new KafkaProtocolException("Record has trailing bytes.");
        }
    }

    public int TotalSize { get; }
    public long TimestampDelta { get; }
    public int OffsetDelta { get; }
    public ReadOnlySpan<byte> Key { get; }
    public bool KeyIsNull { get; }
    public ReadOnlySpan<byte> Value { get; }
    public bool ValueIsNull { get; }
    public int HeaderCount { get; }
    public ReadOnlySpan<byte> Headers { get; }

    private static ReadOnlySpan<byte> ReadField(ReadOnlySpan<byte> body, scoped ref int p, out bool isNull)
    {
        var length = ReadVarInt(body, ref p);
        isNull = length < 0;
        if (isNull)
        {
            return default;
        }
        if (length > body.Length - p)
        {
            throw new KafkaProtocolException("Record field exceeds the record.");
        }
        var field = body.Slice(p, length);
        p += length;
        return field;
    }

    internal static int ReadVarInt(ReadOnlySpan<byte> span, ref int position)
    {
        uint raw = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= span.Length)
            {
                throw new KafkaProtocolException("Truncated varint.");
            }
            var b = span[position++];
            raw |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (int)(raw >> 1) ^ -(int)(raw & 1);
            }
        }
        throw new KafkaProtocolException("Varint too long.");
    }

    internal static long ReadVarLong(ReadOnlySpan<byte> span, ref int position)
    {
        ulong raw = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= span.Length)
            {
                throw new KafkaProtocolException("Truncated varlong.");
            }
            var b = span[position++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(raw >> 1) ^ -(long)(raw & 1);
            }
        }
        throw new KafkaProtocolException("Varlong too long.");
    }
}
