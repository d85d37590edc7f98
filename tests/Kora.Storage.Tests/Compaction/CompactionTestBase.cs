using System.Buffers;
using System.Text;
using Kora.Protocol.Compression;
using Kora.Protocol.Records;
using Kora.Storage.Compaction;
using Kora.Storage.Log;
using Kora.Storage.Tests.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Storage.Tests.Compaction;

/// <summary>A compacted partition log with small segments, a cleaner over it, and readers of what it holds.</summary>
public abstract class CompactionTestBase : LogTestBase
{
    internal static readonly LogConfig Compacted = new()
    {
        Compact = true,
        Delete = false,
        SegmentBytes = 1024,
        MinCleanableDirtyRatio = 0.01,
        DeleteRetentionMs = 60_000,
        IndexIntervalBytes = 128,
    };

    internal LogCleaner Cleaner(PartitionLog log, long dedupeBytes = 1024 * 1024) =>
        new(Root, new LogCleanerOptions { DedupeBufferSize = dedupeBytes, IoBufferSize = 4096 }, () => [new CleanableLog("topic", 0, log)], Time, NullLogger.Instance);

    internal static void AppendAll(PartitionLog log, IEnumerable<byte[]> batches, long nowMs = 1_700_000_000_000)
    {
        foreach (var batch in batches)
        {
            log.Append((byte[])batch.Clone(), nowMs, leaderEpoch: 5);
        }
        // A single replica: everything appended is committed, as the broker's partition reports it.
        log.UpdateHighWatermark(log.LogEndOffset);
    }

    /// <summary>Rolls the active segment so everything appended so far becomes cleanable.</summary>
    internal static void Roll(PartitionLog log) => AppendAll(log, [KeyedBatch.Create([("filler", new string('f', 2000))])]);

    internal static List<byte[]> Batches(PartitionLog log)
    {
        var bytes = ReadAll(log);
        var batches = new List<byte[]>();
        var position = 0;
        while (position < bytes.Length)
        {
            var size = new RecordBatch(bytes.AsSpan(position)).SizeInBytes;
            batches.Add(bytes[position..(position + size)]);
            position += size;
        }
        return batches;
    }

    internal static List<StoredBatch> Headers(PartitionLog log) => Batches(log).ConvertAll(StoredBatch.Of);

    internal static List<StoredRecord> Records(PartitionLog log)
    {
        var records = new List<StoredRecord>();
        var scratch = new ArrayBufferWriter<byte>();
        foreach (var bytes in Batches(log))
        {
            var batch = new RecordBatch(bytes);
            Assert.True(batch.IsCrcValid);
            if (batch.IsControl)
            {
                continue;
            }
            var rest = BatchRecords.Uncompressed(batch, scratch);
            while (!rest.IsEmpty)
            {
                var record = new RecordReader(rest);
                records.Add(new StoredRecord(
                    batch.BaseOffset + record.OffsetDelta,
                    record.KeyIsNull ? null : Encoding.UTF8.GetString(record.Key),
                    record.ValueIsNull ? null : Encoding.UTF8.GetString(record.Value),
                    batch.BaseTimestamp + record.TimestampDelta));
                rest = rest[record.TotalSize..];
            }
        }
        return records;
    }
}
