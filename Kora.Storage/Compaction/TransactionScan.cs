using System.Buffers;
using System.Buffers.Binary;
using Kora.Protocol.Records;
using Kora.Storage.Log;

namespace Kora.Storage.Compaction;

/// <summary>
/// What the cleaner needs to know of transactions and producers, read from the log itself (batch headers, plus
/// the key of each control record): the aborted transactions, the first offset of a transaction still open (the
/// last stable offset; nothing at or after it may be cleaned), and each producer's last batch.
/// </summary>
internal sealed class TransactionScan
{
    private const int WindowSize = 64 * 1024;

    private TransactionScan(List<AbortedTransaction> aborted, long firstUnstableOffset, Dictionary<long, ProducerLastBatch> producers)
    {
        Aborted = aborted;
        FirstUnstableOffset = firstUnstableOffset;
        Producers = producers;
    }

    /// <summary>Aborted transactions in the order of their markers.</summary>
    public IReadOnlyList<AbortedTransaction> Aborted { get; }

    /// <summary>The first offset of the earliest open transaction, or <see cref="long.MaxValue"/> when none is open.</summary>
    public long FirstUnstableOffset { get; }

    public IReadOnlyDictionary<long, ProducerLastBatch> Producers { get; }

    /// <summary>Walks every batch of <paramref name="segments"/> (a snapshot of the whole log) up to their published sizes.</summary>
    public static TransactionScan Run(IReadOnlyList<LogSegment> segments, CancellationToken cancellation)
    {
        var open = new Dictionary<long, long>();
        var aborted = new List<AbortedTransaction>();
        var producers = new Dictionary<long, ProducerLastBatch>();
        var window = ArrayPool<byte>.Shared.Rent(WindowSize);
        try
        {
            foreach (var segment in segments)
            {
                cancellation.ThrowIfCancellationRequested();
                var handle = segment.Handle;
                var size = segment.Size;
                long windowStart = 0;
                var windowLength = 0;
                long position = 0;
                while (position + RecordBatch.HeaderSize <= size)
                {
                    if (position < windowStart || position + RecordBatch.HeaderSize > windowStart + windowLength)
                    {
                        windowStart = position;
                        windowLength = LogFiles.ReadFully(handle, window.AsSpan(0, (int)Math.Min(window.Length, size - position)), position);
                    }
                    var header = window.AsSpan((int)(position - windowStart), windowLength - (int)(position - windowStart));
                    if (!BatchHeaderReader.TryParse(header, size - position, out var parsed))
                    {
                        throw new InvalidDataException($"Malformed batch at position {position} of {segment.LogPath}.");
                    }
                    var attributes = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatch.AttributesOffset..]);
                    var producerId = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatch.ProducerIdOffset..]);
                    var epoch = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatch.ProducerEpochOffset..]);
                    var control = (attributes & 0x20) != 0;
                    var transactional = (attributes & 0x10) != 0;
                    if (producerId >= 0)
                    {
                        var last = producers.GetValueOrDefault(producerId, new ProducerLastBatch(-1, epoch));
                        producers[producerId] = new ProducerLastBatch(control ? last.LastDataOffset : parsed.LastOffset, epoch);
                    }
                    if (control)
                    {
                        var type = ReadControlType(handle, position, parsed.Size, window, windowStart, windowLength);
                        if (open.Remove(producerId, out var first) && type == ControlRecordType.Abort)
                        {
                            aborted.Add(new AbortedTransaction(producerId, first, parsed.LastOffset));
                        }
                    }
                    else if (transactional && producerId >= 0)
                    {
                        open.TryAdd(producerId, parsed.BaseOffset);
                    }
                    position += parsed.Size;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
        var firstUnstable = open.Count == 0 ? long.MaxValue : open.Values.Min();
        return new TransactionScan(aborted, firstUnstable, producers);
    }

    /// <summary>The type of a control batch's first record; an empty (already cleaned) control batch has none.</summary>
    private static ControlRecordType ReadControlType(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long position, int size, byte[] window, long windowStart, int windowLength)
    {
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> batch;
            var within = (int)(position - windowStart);
            if (within + size <= windowLength)
            {
                batch = window.AsSpan(within, size);
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent(size);
                batch = rented.AsSpan(0, LogFiles.ReadFully(handle, rented.AsSpan(0, size), position));
            }
            return ControlRecords.TypeOf(batch);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
