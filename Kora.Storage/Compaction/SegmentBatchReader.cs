using System.Buffers;
using Kora.Protocol.Records;
using Kora.Storage.Log;
using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Compaction;

/// <summary>
/// Reads whole batches of a segment file in chunks into one reusable buffer (Kafka's cleaner read buffer). A
/// batch larger than the buffer grows it to fit; the buffer shrinks back when the reader is reset.
/// </summary>
internal sealed class SegmentBatchReader(int bufferSize) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);

    /// <summary>
    /// Fills the buffer with the whole batches at <paramref name="position"/> and returns their bytes; empty at
    /// <paramref name="limit"/>. A batch whose framing is broken or that runs past the limit throws.
    /// </summary>
    public Span<byte> Read(SafeFileHandle handle, long position, long limit)
    {
        while (position < limit)
        {
            var wanted = (int)Math.Min(_buffer.Length, limit - position);
            var read = LogFiles.ReadFully(handle, _buffer.AsSpan(0, wanted), position);
            var consumed = 0;
            while (read - consumed >= RecordBatch.HeaderSize)
            {
                var rest = _buffer.AsSpan(consumed, read - consumed);
                if (!BatchHeaderReader.TryParse(rest, limit - position - consumed, out var header))
                {
                    throw new InvalidDataException($"Malformed batch at position {position + consumed} of a segment being cleaned.");
                }
                if (header.Size > rest.Length)
                {
                    break;
                }
                consumed += header.Size;
            }
            if (consumed > 0)
            {
                return _buffer.AsSpan(0, consumed);
            }
            if (read < RecordBatch.HeaderSize)
            {
                throw new InvalidDataException($"Truncated batch at position {position} of a segment being cleaned.");
            }
            // One batch bigger than the buffer: grow to its size and read again.
            BatchHeaderReader.TryParse(_buffer, limit - position, out var big);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(big.Size);
        }
        return [];
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
