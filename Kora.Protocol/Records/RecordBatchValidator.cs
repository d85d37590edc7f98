using Kora.Protocol.Primitives;

namespace Kora.Protocol.Records;

/// <summary>
/// Checks the record batches of a produce request before they touch the log: framing, magic, CRC-32C
/// and, for uncompressed batches, that every record parses and the offset deltas match the header. As in
/// Kafka, clients may not write control batches, and a batch with a producer id needs a sequence.
/// Compressed batches stay compressed; their CRC covers the compressed bytes.
/// </summary>
public static class RecordBatchValidator
{
    public readonly record struct Result(ErrorCode Error, int BatchCount, int RecordCount, string? Message)
    {
        public bool IsValid => Error == ErrorCode.None;
    }

    public static Result Validate(ReadOnlySpan<byte> records, int maxBatchBytes)
    {
        if (records.Length == 0)
        {
            return new Result(ErrorCode.InvalidRecord, 0, 0, "Empty record set.");
        }
        var batches = 0;
        var recordCount = 0;
        while (!records.IsEmpty)
        {
            if (records.Length < RecordBatch.HeaderSize)
            {
                return new Result(ErrorCode.CorruptMessage, batches, recordCount, "Truncated batch header.");
            }
            var batch = new RecordBatch(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(records), records.Length));
            if (batch.Magic != 2)
            {
                return new Result(ErrorCode.UnsupportedForMessageFormat, batches, recordCount, $"Magic {batch.Magic} is not supported; use record batch v2.");
            }
            var size = batch.SizeInBytes;
            if (batch.BatchLength < RecordBatch.HeaderSize - RecordBatch.LogOverhead || size > records.Length)
            {
                return new Result(ErrorCode.CorruptMessage, batches, recordCount, "Batch length does not match the record set.");
            }
            if (size > maxBatchBytes)
            {
                return new Result(ErrorCode.MessageTooLarge, batches, recordCount, $"Batch of {size} bytes exceeds max.message.bytes {maxBatchBytes}.");
            }
            if (!batch.IsCrcValid)
            {
                return new Result(ErrorCode.CorruptMessage, batches, recordCount, "CRC-32C mismatch.");
            }
            var count = batch.RecordsCount;
            if (count <= 0 || batch.LastOffsetDelta != count - 1)
            {
                return new Result(ErrorCode.InvalidRecord, batches, recordCount, "Record count does not match the last offset delta.");
            }
            if (batch.Compression == CompressionCodec.None && !RecordsParse(batch.RecordsBytes, count))
            {
                return new Result(ErrorCode.CorruptMessage, batches, recordCount, "Records do not parse.");
            }
            if (batch.IsControl)
            {
                return new Result(ErrorCode.InvalidRecord, batches, recordCount, "Clients are not allowed to write control records.");
            }
            if (batch.HasProducerId && batch.BaseSequence < 0)
            {
                return new Result(ErrorCode.InvalidRecord, batches, recordCount, "Invalid sequence number in a record batch with a producer id.");
            }
            if ((byte)batch.Compression > (byte)CompressionCodec.Zstd)
            {
                return new Result(ErrorCode.UnsupportedCompressionType, batches, recordCount, "Unknown compression codec.");
            }
            batches++;
            recordCount += count;
            records = records[size..];
        }
        return new Result(ErrorCode.None, batches, recordCount, null);
    }

    private static bool RecordsParse(ReadOnlySpan<byte> records, int expected)
    {
        var index = 0;
        try
        {
            while (!records.IsEmpty)
            {
                var record = new RecordReader(records);
                if (record.OffsetDelta != index)
                {
                    return false;
                }
                records = records[record.TotalSize..];
                index++;
            }
        }
        catch (KafkaProtocolException)
        {
            return false;
        }
        return index == expected;
    }
}
