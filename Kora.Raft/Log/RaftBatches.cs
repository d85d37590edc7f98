using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.Raft.Log;

/// <summary>
/// The record batches of the metadata log: Kafka v2 batches, data batches of application records and
/// KRaft's control batches (the LeaderChange record a leader writes at the start of its epoch).
/// </summary>
public static class RaftBatches
{
    /// <summary>ControlRecordType.LEADER_CHANGE in Kafka.</summary>
    public const short LeaderChangeType = 2;
    private const short ControlAttribute = 0x20;

    public static byte[] BuildData(long baseOffset, int epoch, long timestamp, IReadOnlyList<ReadOnlyMemory<byte>> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one record.", nameof(values));
        }
        var builder = new RecordBatchBuilder(timestamp);
        foreach (var value in values)
        {
            builder.Add(default, value.Span, timestamp, nullKey: true);
        }
        return Finish(builder, baseOffset, epoch);
    }

    public static byte[] BuildLeaderChange(long baseOffset, int epoch, long timestamp, int leaderId, IReadOnlyList<int> voters, IEnumerable<int> grantingVoters)
    {
        var message = new LeaderChangeMessage
        {
            Version = 0,
            LeaderId = leaderId,
            Voters = voters.Select(v => new LeaderChangeMessage.Voter { VoterId = v }).ToList(),
            GrantingVoters = grantingVoters.Select(v => new LeaderChangeMessage.Voter { VoterId = v }).ToList(),
        };
        var value = new ArrayBufferWriter<byte>(message.ComputeSize(0));
        var writer = new KafkaWriter(value);
        message.Write(ref writer, 0);
        writer.Flush();
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteInt16BigEndian(key, 0);
        BinaryPrimitives.WriteInt16BigEndian(key[2..], LeaderChangeType);
        var builder = new RecordBatchBuilder(timestamp, attributes: ControlAttribute);
        builder.Add(key, value.WrittenSpan, timestamp);
        return Finish(builder, baseOffset, epoch);
    }

    private static byte[] Finish(RecordBatchBuilder builder, long baseOffset, int epoch)
    {
        var bytes = builder.Build(baseOffset);
        new RecordBatch(bytes).AssignOffsets(baseOffset, epoch);
        return bytes;
    }

    /// <summary>
    /// Reads the header of the batch at the start of <paramref name="bytes"/> after checking framing,
    /// magic and CRC-32C. Returns false for anything that cannot be trusted, including a batch cut short.
    /// </summary>
    public static bool TryReadValid(ReadOnlySpan<byte> bytes, out long baseOffset, out long lastOffset, out int epoch, out bool isControl, out int size)
    {
        baseOffset = lastOffset = 0;
        epoch = size = 0;
        isControl = false;
        if (bytes.Length < RecordBatch.HeaderSize)
        {
            return false;
        }
        var batch = new RecordBatch(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bytes), bytes.Length));
        var length = batch.BatchLength;
        if (batch.Magic != 2 || length < RecordBatch.HeaderSize - RecordBatch.LogOverhead || length > bytes.Length - RecordBatch.LogOverhead)
        {
            return false;
        }
        if (batch.LastOffsetDelta < 0 || batch.RecordsCount <= 0 || batch.PartitionLeaderEpoch < 0 || batch.BaseOffset < 0 || !batch.IsCrcValid)
        {
            return false;
        }
        baseOffset = batch.BaseOffset;
        lastOffset = batch.LastOffset;
        epoch = batch.PartitionLeaderEpoch;
        isControl = batch.IsControl;
        size = batch.SizeInBytes;
        return true;
    }

    /// <summary>
    /// The length of the longest prefix of whole, valid batches that continue a log ending at
    /// <paramref name="expectedBaseOffset"/> with epochs between <paramref name="minEpoch"/> and
    /// <paramref name="maxEpoch"/> that never decrease.
    /// </summary>
    public static int ValidPrefix(ReadOnlySpan<byte> bytes, long expectedBaseOffset, int minEpoch, int maxEpoch)
    {
        var position = 0;
        var lastEpoch = minEpoch;
        while (position < bytes.Length)
        {
            if (!TryReadValid(bytes[position..], out var baseOffset, out var lastOffset, out var epoch, out _, out var size)
                || baseOffset != expectedBaseOffset || epoch < lastEpoch || epoch > maxEpoch)
            {
                break;
            }
            expectedBaseOffset = lastOffset + 1;
            lastEpoch = epoch;
            position += size;
        }
        return position;
    }

    /// <summary>The values of a data batch's records, in offset order.</summary>
    public static List<ReadOnlyMemory<byte>> ReadValues(ReadOnlyMemory<byte> batch)
    {
        var header = new RecordBatch(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(batch.Span), batch.Length));
        var count = header.RecordsCount;
        var values = new List<ReadOnlyMemory<byte>>(count);
        var position = RecordBatch.HeaderSize;
        var end = header.SizeInBytes;
        for (var i = 0; i < count && position < end; i++)
        {
            var record = new RecordReader(batch.Span[position..end]);
            var valueOffset = record.Value.IsEmpty ? 0 : ByteOffset(batch.Span, record.Value);
            values.Add(record.ValueIsNull ? ReadOnlyMemory<byte>.Empty : batch.Slice(valueOffset, record.Value.Length));
            position += record.TotalSize;
        }
        return values;
    }

    private static int ByteOffset(ReadOnlySpan<byte> outer, ReadOnlySpan<byte> inner) =>
        (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(outer), ref MemoryMarshal.GetReference(inner));
}
