using System.Buffers.Binary;
using Kora.Storage.Log;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>One batch of a replica's log as the invariants compare it: its offsets, leader epoch and CRC.</summary>
internal readonly record struct LoggedBatch(long BaseOffset, long LastOffset, int LeaderEpoch, uint Crc)
{
    /// <summary>Every batch of <paramref name="log"/> from its start to its end.</summary>
    public static List<LoggedBatch> ReadAll(PartitionLog log)
    {
        var batches = new List<LoggedBatch>();
        var offset = log.LogStartOffset;
        var end = log.LogEndOffset;
        while (offset < end)
        {
            var read = log.Read(offset, 1 << 20, end, minOneMessage: true);
            var length = read.Records.Length;
            if (length == 0)
            {
                break;
            }
            var bytes = new byte[length];
            read.Records.CopyTo(0, bytes);
            var position = 0;
            while (position + 61 <= length)
            {
                var span = bytes.AsSpan(position);
                var size = 12 + BinaryPrimitives.ReadInt32BigEndian(span[8..]);
                var baseOffset = BinaryPrimitives.ReadInt64BigEndian(span);
                var last = baseOffset + BinaryPrimitives.ReadInt32BigEndian(span[23..]);
                batches.Add(new LoggedBatch(baseOffset, last, BinaryPrimitives.ReadInt32BigEndian(span[12..]), BinaryPrimitives.ReadUInt32BigEndian(span[17..])));
                position += size;
                offset = last + 1;
            }
        }
        return batches;
    }
}
