using System.Buffers;
using Kora.Protocol.Compression;
using Kora.Protocol.Records;

namespace Kora.Storage.Log;

/// <summary>
/// Reads a whole log in offset order, for coordinators that rebuild their state from an internal topic at start
/// (<c>__consumer_offsets</c>, <c>__transaction_state</c>). The coordinators write plain batches, but the log
/// cleaner may have rewritten them compressed, so records come decompressed.
/// </summary>
public static class LogReplay
{
    private const int ReadBytes = 1 << 20;

    /// <summary>Called for each record of a data batch, keyless ones included.</summary>
    public delegate void RecordHandler(RecordBatch batch, RecordReader record);

    /// <summary>Called for each control batch (transaction markers).</summary>
    public delegate void ControlBatchHandler(RecordBatch batch);

    /// <summary>Feeds every record from the log start to the log end to <paramref name="onRecord"/>. Returns how many.</summary>
    public static int Run(PartitionLog log, RecordHandler onRecord, ControlBatchHandler? onControlBatch = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(onRecord);
        var count = 0;
        var offset = log.LogStartOffset;
        var end = log.LogEndOffset;
        ArrayBufferWriter<byte>? scratch = null;
        while (offset < end)
        {
            var read = log.Read(offset, ReadBytes, end, minOneMessage: true);
            if (read.Records.Length == 0)
            {
                break;
            }
            var bytes = new byte[read.Records.Length];
            read.Records.CopyTo(0, bytes);
            var next = ReplayBatches(bytes, offset, onRecord, onControlBatch, ref scratch, ref count);
            if (next <= offset)
            {
                break;
            }
            offset = next;
        }
        return count;
    }

    private static long ReplayBatches(byte[] bytes, long offset, RecordHandler onRecord, ControlBatchHandler? onControlBatch,
        ref ArrayBufferWriter<byte>? scratch, ref int count)
    {
        var position = 0;
        while (position + RecordBatch.HeaderSize <= bytes.Length)
        {
            var batch = new RecordBatch(bytes.AsSpan(position));
            var size = batch.SizeInBytes;
            if (size <= 0 || position + size > bytes.Length)
            {
                break;
            }
            // A read starts at the batch holding the offset, so the first batch may begin before it.
            if (batch.IsControl)
            {
                if (batch.LastOffset >= offset)
                {
                    onControlBatch?.Invoke(batch);
                }
            }
            else
            {
                var records = BatchRecords.Uncompressed(batch, scratch ??= new ArrayBufferWriter<byte>());
                for (var i = 0; i < batch.RecordsCount && !records.IsEmpty; i++)
                {
                    var record = new RecordReader(records);
                    if (batch.BaseOffset + record.OffsetDelta >= offset)
                    {
                        onRecord(batch, record);
                        count++;
                    }
                    records = records[record.TotalSize..];
                }
            }
            offset = Math.Max(offset, batch.LastOffset + 1);
            position += size;
        }
        return offset;
    }
}
