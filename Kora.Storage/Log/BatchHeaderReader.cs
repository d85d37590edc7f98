using System.Buffers;
using System.Buffers.Binary;
using Kora.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Log;

/// <summary>
/// Walks batch headers in a segment file. It reads a window of the file at a time, so stepping over many
/// small batches costs one read, not one per batch; it never reads record payloads.
/// </summary>
internal ref struct BatchHeaderReader
{
    private const int WindowSize = 8 * 1024;

    private byte[]? _buffer;
    private SafeFileHandle? _handle;
    private long _windowStart;
    private int _windowLength;

    /// <summary>
    /// Reads the header at <paramref name="position"/>. False when no whole, well-formed batch lies before
    /// <paramref name="limit"/>: the end of the data, a torn write, or corruption.
    /// </summary>
    public bool TryRead(SafeFileHandle handle, long position, long limit, out BatchHeader header)
    {
        header = default;
        if (position + RecordBatch.HeaderSize > limit)
        {
            return false;
        }
        var bytes = Window(handle, position, limit);
        if (bytes.Length < RecordBatch.HeaderSize)
        {
            return false;
        }
        return TryParse(bytes, limit - position, out header);
    }

    /// <summary>
    /// As <see cref="TryRead(SafeFileHandle, long, long, out BatchHeader)"/>, also returning the bytes read from
    /// <paramref name="position"/> on: the whole header, and as much of the batch as the window holds.
    /// </summary>
    public bool TryRead(SafeFileHandle handle, long position, long limit, out BatchHeader header, out ReadOnlySpan<byte> bytes)
    {
        header = default;
        bytes = default;
        if (position + RecordBatch.HeaderSize > limit)
        {
            return false;
        }
        bytes = Window(handle, position, limit);
        return bytes.Length >= RecordBatch.HeaderSize && TryParse(bytes, limit - position, out header);
    }

    /// <summary>Parses a header from memory; <paramref name="available"/> bounds the batch's claimed size.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, long available, out BatchHeader header)
    {
        header = default;
        var length = BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatch.LengthOffset..]);
        var size = (long)length + RecordBatch.LogOverhead;
        var delta = BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatch.LastOffsetDeltaOffset..]);
        if (size < RecordBatch.HeaderSize || size > available || bytes[RecordBatch.MagicOffset] != 2 || delta < 0)
        {
            return false;
        }
        var baseOffset = BinaryPrimitives.ReadInt64BigEndian(bytes);
        header = new BatchHeader(
            baseOffset,
            (int)size,
            baseOffset + delta,
            BinaryPrimitives.ReadInt64BigEndian(bytes[RecordBatch.MaxTimestampOffset..]));
        return true;
    }

    private ReadOnlySpan<byte> Window(SafeFileHandle handle, long position, long limit)
    {
        if (!ReferenceEquals(handle, _handle) || position < _windowStart || position + RecordBatch.HeaderSize > _windowStart + _windowLength)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(WindowSize);
            var wanted = (int)Math.Min(_buffer.Length, limit - position);
            _handle = handle;
            _windowStart = position;
            _windowLength = LogFiles.ReadFully(handle, _buffer.AsSpan(0, wanted), position);
        }
        var from = (int)(position - _windowStart);
        return _buffer.AsSpan(from, _windowLength - from);
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
