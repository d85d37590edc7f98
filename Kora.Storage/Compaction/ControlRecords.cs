using System.Buffers.Binary;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.Storage.Compaction;

/// <summary>Reads the marker type of a control batch (COMMIT or ABORT) from its first record's key.</summary>
internal static class ControlRecords
{
    public static ControlRecordType TypeOf(ReadOnlySpan<byte> batch)
    {
        if (batch.Length <= RecordBatch.HeaderSize || BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatch.RecordsCountOffset..]) <= 0)
        {
            return ControlRecordType.None;
        }
        try
        {
            var record = new RecordReader(batch[RecordBatch.HeaderSize..]);
            return record.KeyIsNull || record.Key.Length < 4
                ? ControlRecordType.Unknown
                : BinaryPrimitives.ReadInt16BigEndian(record.Key[2..]) switch
                {
                    0 => ControlRecordType.Abort,
                    1 => ControlRecordType.Commit,
                    _ => ControlRecordType.Unknown,
                };
        }
        catch (KafkaProtocolException)
        {
            return ControlRecordType.Unknown;
        }
    }
}
