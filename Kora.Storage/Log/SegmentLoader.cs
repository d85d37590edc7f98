using System.Buffers;
using Kora.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Log;

/// <summary>Brings a segment read from disk back to a usable state: a cheap tail check, or a full rebuild.</summary>
internal static class SegmentLoader
{
    private const int ChunkSize = 256 * 1024;

    /// <summary>
    /// Trusts the indexes and walks only the batches after the last offset index entry, checking they end
    /// exactly at the end of the file and below <paramref name="nextSegmentBase"/>. False means the segment
    /// needs <see cref="Rebuild"/>.
    /// </summary>
    public static bool TryLoadTail(LogSegment segment, long nextSegmentBase)
    {
        if (!IndexFile.IsWellFormed(segment.OffsetIndex.Path, wideKey: false)
            || !IndexFile.IsWellFormed(segment.TimeIndex.Path, wideKey: true))
        {
            return false;
        }
        var handle = segment.Handle;
        var size = RandomAccess.GetLength(handle);
        if (size > int.MaxValue)
        {
            return false;
        }
        var hasEntry = segment.OffsetIndex.TryGetLast(out var lastRelative, out var position);
        if (hasEntry && (position < 0 || position >= size))
        {
            return false;
        }
        if (!hasEntry)
        {
            position = 0;
        }
        var (maxTimestamp, offsetOfMax) = segment.TimeIndex.TryGetLast(out var timestamp, out var relative)
            ? (timestamp, segment.BaseOffset + relative)
            : (-1L, -1L);
        var reader = new BatchHeaderReader();
        var next = segment.BaseOffset;
        try
        {
            long walked = position;
            while (walked < size)
            {
                if (!reader.TryRead(handle, walked, size, out var header)
                    || header.BaseOffset < next
                    || (walked == position && hasEntry && header.LastOffset != segment.BaseOffset + lastRelative))
                {
                    return false;
                }
                if (header.MaxTimestamp > maxTimestamp)
                {
                    (maxTimestamp, offsetOfMax) = (header.MaxTimestamp, header.LastOffset);
                }
                next = header.NextOffset;
                walked += header.Size;
            }
        }
        finally
        {
            reader.Dispose();
        }
        if (next > nextSegmentBase || offsetOfMax >= next)
        {
            return false;
        }
        segment.Restore(size, next, maxTimestamp, offsetOfMax, hasEntry ? size - position : size);
        segment.RollBaseTimeMs = FirstTimestamp(handle, size);
        return true;
    }

    /// <summary>
    /// Rescans the whole log file, checking each batch's framing, CRC-32C and offset order, cuts the file at
    /// the first bad batch (a torn or corrupt tail) and rewrites both indexes. Returns the bytes cut off.
    /// </summary>
    public static long Rebuild(LogSegment segment, int indexIntervalBytes)
    {
        var handle = segment.Handle;
        var fileSize = RandomAccess.GetLength(handle);
        segment.ResetForRebuild();
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        long position = 0;
        var next = segment.BaseOffset;
        try
        {
            var corrupt = false;
            while (!corrupt && position < fileSize && position < int.MaxValue)
            {
                var read = LogFiles.ReadFully(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, fileSize - position)), position);
                var consumed = 0;
                var biggerBuffer = 0;
                while (read - consumed >= RecordBatch.HeaderSize)
                {
                    var bytes = buffer.AsSpan(consumed, read - consumed);
                    if (!BatchHeaderReader.TryParse(bytes, fileSize - position - consumed, out var header))
                    {
                        corrupt = true;
                        break;
                    }
                    if (header.Size > bytes.Length)
                    {
                        biggerBuffer = consumed == 0 ? header.Size : 0;
                        break;
                    }
                    if (header.BaseOffset < next || !new RecordBatch(bytes[..header.Size]).IsCrcValid || position + consumed + header.Size > int.MaxValue)
                    {
                        corrupt = true;
                        break;
                    }
                    segment.Track(position + consumed, header, indexIntervalBytes);
                    next = header.NextOffset;
                    consumed += header.Size;
                }
                if (biggerBuffer > 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(biggerBuffer);
                    continue;
                }
                if (consumed == 0)
                {
                    break;
                }
                position += consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (fileSize > position)
        {
            segment.TruncateFile(position);
        }
        segment.OffsetIndex.WritePending();
        segment.TimeIndex.WritePending();
        segment.Publish(position, next);
        segment.RollBaseTimeMs = FirstTimestamp(handle, position);
        return fileSize - position;
    }

    /// <summary>segment.ms counts from the first batch's timestamp after a restart, as in Kafka.</summary>
    private static long FirstTimestamp(SafeFileHandle handle, long size)
    {
        var reader = new BatchHeaderReader();
        try
        {
            return reader.TryRead(handle, 0, size, out var header) && header.MaxTimestamp >= 0 ? header.MaxTimestamp : -1;
        }
        finally
        {
            reader.Dispose();
        }
    }
}
