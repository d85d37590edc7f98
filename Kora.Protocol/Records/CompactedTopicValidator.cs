using System.Buffers;
using Kora.Protocol.Compression;
using Kora.Protocol.Primitives;

namespace Kora.Protocol.Records;

/// <summary>
/// Kafka refuses records without a key on a compacted topic: the cleaner could never keep or replace them. This
/// is the one produce check that reads every record, compressed ones included, so it runs only for such topics.
/// </summary>
public static class CompactedTopicValidator
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>
    /// None when every record of every data batch has a key; INVALID_RECORD (with the index of the first keyless
    /// record) when one has none; CORRUPT_MESSAGE or UNSUPPORTED_COMPRESSION_TYPE when a batch cannot be read.
    /// Batches must already have passed <see cref="RecordBatchValidator"/>.
    /// </summary>
    public static ErrorCode Validate(Span<byte> batches, int maxRecordsBytes, out int keylessRecordIndex)
    {
        keylessRecordIndex = -1;
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>();
        var index = 0;
        var rest = batches;
        while (rest.Length >= RecordBatch.HeaderSize)
        {
            var batch = new RecordBatch(rest);
            var size = batch.SizeInBytes;
            if (!batch.IsControl)
            {
                ReadOnlySpan<byte> records;
                try
                {
                    records = BatchRecords.Uncompressed(batch, scratch, maxRecordsBytes);
                }
                catch (InvalidDataException)
                {
                    return ErrorCode.CorruptMessage;
                }
                catch (NotSupportedException)
                {
                    return ErrorCode.UnsupportedCompressionType;
                }
                try
                {
                    for (var i = 0; i < batch.RecordsCount; i++, index++)
                    {
                        var record = new RecordReader(records);
                        if (record.KeyIsNull)
                        {
                            keylessRecordIndex = index;
                            return ErrorCode.InvalidRecord;
                        }
                        records = records[record.TotalSize..];
                    }
                }
                catch (KafkaProtocolException)
                {
                    return ErrorCode.CorruptMessage;
                }
            }
            rest = rest[size..];
        }
        return ErrorCode.None;
    }
}
