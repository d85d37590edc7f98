using System.Buffers;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Protocol.Compression;
using Kora.Protocol.Records;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Groups;

/// <summary>
/// The internal compacted topic <c>__consumer_offsets</c>: a group's records go to partition
/// <c>abs(groupId.hashCode()) % partitions</c> as Kafka places them. Created on first use; replayed at start.
/// </summary>
public sealed class ConsumerOffsetsLog(PartitionManager partitions, TopicAdmin admin, IOptions<BrokerOptions> options, TimeProvider time) : IGroupLog
{
    public const string TopicName = "__consumer_offsets";
    private readonly int _partitionCount = options.Value.OffsetsTopicNumPartitions;
    private volatile bool _ready;

    /// <summary>Java's String.hashCode over UTF-16 code units.</summary>
    public static int JavaHashCode(string value)
    {
        var hash = 0;
        foreach (var c in value)
        {
            hash = unchecked((31 * hash) + c);
        }
        return hash;
    }

    /// <summary>Kafka's Utils.abs (MIN_VALUE maps to 0) of the hash, modulo the partition count.</summary>
    public static int PartitionFor(string groupId, int partitionCount)
    {
        var hash = JavaHashCode(groupId);
        return (hash == int.MinValue ? 0 : Math.Abs(hash)) % partitionCount;
    }

    public int PartitionFor(string groupId) => PartitionFor(groupId, _partitionCount);

    /// <summary>Creates the topic when missing. False when it cannot be created yet (no registered broker).</summary>
    public async ValueTask<bool> EnsureTopicAsync(CancellationToken cancellation)
    {
        if (_ready)
        {
            return true;
        }
        if (admin.Image.Topic(TopicName) is null)
        {
            var spec = new TopicSpec(TopicName, _partitionCount, -1, null, [new("cleanup.policy", "compact")]);
            var result = await admin.CreateTopicAsync(spec, validateOnly: false, cancellation).ConfigureAwait(false);
            if (result.Error is not Kora.Protocol.Primitives.ErrorCode.None and not Kora.Protocol.Primitives.ErrorCode.TopicAlreadyExists)
            {
                return false;
            }
        }
        _ready = partitions.Get(TopicName, 0) is not null;
        return _ready;
    }

    public void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        if (records.Count == 0 || partitions.Get(TopicName, PartitionFor(groupId)) is not { } partition)
        {
            return;
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var builder = new RecordBatchBuilder(now);
        foreach (var (key, value) in records)
        {
            builder.Add(key, value ?? [], now, nullValue: value is null);
        }
        partition.Append(builder.Build(), now);
    }

    /// <summary>
    /// Completes once everything appended for <paramref name="groupId"/> so far is fsynced: a commit is
    /// acknowledged only when it would survive a crash, as acks=all data is.
    /// </summary>
    public ValueTask FlushAsync(string groupId, CancellationToken cancellation) =>
        partitions.Get(TopicName, PartitionFor(groupId)) is { } partition
            ? partition.Log.FlushAsync(long.MaxValue, cancellation)
            : ValueTask.CompletedTask;

    /// <summary>Feeds every record of every partition, in offset order, to <paramref name="apply"/>.</summary>
    public int Replay(Action<byte[], byte[]?> apply)
    {
        var count = 0;
        for (var p = 0; p < _partitionCount; p++)
        {
            if (partitions.Get(TopicName, p) is not { } partition)
            {
                return count;
            }
            var log = partition.Log;
            var offset = log.LogStartOffset;
            var end = log.LogEndOffset;
            while (offset < end)
            {
                var read = log.Read(offset, 1 << 20, end, minOneMessage: true);
                if (read.Records.Length == 0)
                {
                    break;
                }
                var bytes = new byte[read.Records.Length];
                read.Records.CopyTo(0, bytes);
                var next = ReplayBatches(bytes, offset, apply, ref count);
                if (next <= offset)
                {
                    break;
                }
                offset = next;
            }
        }
        return count;
    }

    private static long ReplayBatches(byte[] bytes, long offset, Action<byte[], byte[]?> apply, ref int count)
    {
        var position = 0;
        ArrayBufferWriter<byte>? scratch = null;
        while (position + RecordBatch.HeaderSize <= bytes.Length)
        {
            var batch = new RecordBatch(bytes.AsSpan(position));
            var size = batch.SizeInBytes;
            if (size <= 0 || position + size > bytes.Length)
            {
                break;
            }
            if (!batch.IsControl)
            {
                // Batches written by the coordinator are plain, but the cleaner or a client may have stored compressed ones.
                var records = BatchRecords.Uncompressed(batch, scratch ??= new ArrayBufferWriter<byte>());
                for (var i = 0; i < batch.RecordsCount && !records.IsEmpty; i++)
                {
                    var record = new RecordReader(records);
                    if (batch.BaseOffset + record.OffsetDelta >= offset && !record.KeyIsNull)
                    {
                        apply(record.Key.ToArray(), record.ValueIsNull ? null : record.Value.ToArray());
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
