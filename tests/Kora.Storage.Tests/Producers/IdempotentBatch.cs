using System.Buffers.Binary;
using Kora.Protocol.Records;
using Kora.Storage.Tests.Log;

namespace Kora.Storage.Tests.Producers;

/// <summary>Test batches carrying a producer id, epoch and sequence, optionally transactional.</summary>
internal static class IdempotentBatch
{
    public static byte[] Create(long producerId, short epoch, int baseSequence, int records = 1, bool transactional = false, long timestamp = 1_700_000_000_000)
    {
        var bytes = TestBatch.Create(records, timestamp);
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.ProducerIdOffset..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.ProducerEpochOffset..], epoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.BaseSequenceOffset..], baseSequence);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], (short)(transactional ? 0x10 : 0));
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatch.CrcOffset..], Crc32C.Compute(span[RecordBatch.AttributesOffset..]));
        return bytes;
    }
}
