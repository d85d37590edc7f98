using System.Buffers.Binary;
using System.Globalization;
using Kora.Protocol.Records;
using Kora.Storage.Log;

namespace Kora.Storage.Producers;

/// <summary>
/// Producer-state snapshot files, <c>&lt;offset&gt;.snapshot</c> as in Kafka: the producer table as it stood
/// when the log ended at that offset. Kora's own compact big-endian layout keeps all retained batches:
/// <code>
/// [version int16 = 1][crc32c uint32 of the rest][offset int64][count int32]
/// count x [producer id int64][epoch int16][coordinator epoch int32][last timestamp int64]
///         [current txn first offset int64][batch count uint8]
///         batch count x [first seq int32][last seq int32][first offset int64][last offset int64][timestamp int64]
/// </code>
/// </summary>
internal static class ProducerSnapshot
{
    public const string Suffix = ".snapshot";
    private const short Version = 1;
    private const int HeaderSize = 2 + 4 + 8 + 4;
    private const int EntrySize = 8 + 2 + 4 + 8 + 8 + 1;
    private const int BatchSize = 4 + 4 + 8 + 8 + 8;

    public static string PathFor(string directory, long offset) =>
        System.IO.Path.Combine(directory, offset.ToString("D20", CultureInfo.InvariantCulture) + Suffix);

    /// <summary>The offsets of the snapshot files in <paramref name="directory"/>, ascending.</summary>
    public static List<long> List(string directory)
    {
        var offsets = new List<long>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + Suffix))
        {
            if (LogFiles.TryParseBaseOffset(System.IO.Path.GetFileName(path), Suffix, out var offset))
            {
                offsets.Add(offset);
            }
        }
        offsets.Sort();
        return offsets;
    }

    public static byte[] Serialize(long offset, ProducerStateManager producers)
    {
        var size = HeaderSize;
        foreach (var entry in producers.Entries)
        {
            size += EntrySize + (entry.BatchCount * BatchSize);
        }
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt16BigEndian(span, Version);
        BinaryPrimitives.WriteInt64BigEndian(span[6..], offset);
        BinaryPrimitives.WriteInt32BigEndian(span[14..], producers.Count);
        var at = HeaderSize;
        foreach (var entry in producers.Entries)
        {
            var e = span[at..];
            BinaryPrimitives.WriteInt64BigEndian(e, entry.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(e[8..], entry.ProducerEpoch);
            BinaryPrimitives.WriteInt32BigEndian(e[10..], entry.CoordinatorEpoch);
            BinaryPrimitives.WriteInt64BigEndian(e[14..], entry.LastTimestamp);
            BinaryPrimitives.WriteInt64BigEndian(e[22..], entry.CurrentTxnFirstOffset);
            e[30] = (byte)entry.BatchCount;
            at += EntrySize;
            for (var i = 0; i < entry.BatchCount; i++)
            {
                var batch = entry.Batch(i);
                var b = span[at..];
                BinaryPrimitives.WriteInt32BigEndian(b, batch.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(b[4..], batch.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(b[8..], batch.FirstOffset);
                BinaryPrimitives.WriteInt64BigEndian(b[16..], batch.LastOffset);
                BinaryPrimitives.WriteInt64BigEndian(b[24..], batch.Timestamp);
                at += BatchSize;
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], Crc32C.Compute(span[6..]));
        return bytes;
    }

    /// <summary>False for a file that is torn, corrupt, of another version, or not the snapshot at <paramref name="offset"/>.</summary>
    public static bool TryDeserialize(ReadOnlySpan<byte> bytes, long offset, out List<ProducerStateEntry> entries)
    {
        entries = [];
        if (bytes.Length < HeaderSize
            || BinaryPrimitives.ReadInt16BigEndian(bytes) != Version
            || BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]) != Crc32C.Compute(bytes[6..])
            || BinaryPrimitives.ReadInt64BigEndian(bytes[6..]) != offset)
        {
            return false;
        }
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[14..]);
        var rest = bytes[HeaderSize..];
        for (var n = 0; n < count; n++)
        {
            if (rest.Length < EntrySize)
            {
                return false;
            }
            var entry = ProducerStateEntry.Restore(
                BinaryPrimitives.ReadInt64BigEndian(rest),
                BinaryPrimitives.ReadInt16BigEndian(rest[8..]),
                BinaryPrimitives.ReadInt32BigEndian(rest[10..]),
                BinaryPrimitives.ReadInt64BigEndian(rest[14..]),
                BinaryPrimitives.ReadInt64BigEndian(rest[22..]));
            var batches = rest[30];
            rest = rest[EntrySize..];
            if (batches > ProducerStateEntry.RetainedBatches || rest.Length < batches * BatchSize)
            {
                return false;
            }
            for (var i = 0; i < batches; i++)
            {
                entry.RestoreBatch(new BatchMetadata(
                    BinaryPrimitives.ReadInt32BigEndian(rest),
                    BinaryPrimitives.ReadInt32BigEndian(rest[4..]),
                    BinaryPrimitives.ReadInt64BigEndian(rest[8..]),
                    BinaryPrimitives.ReadInt64BigEndian(rest[16..]),
                    BinaryPrimitives.ReadInt64BigEndian(rest[24..])));
                rest = rest[BatchSize..];
            }
            entries.Add(entry);
        }
        return rest.IsEmpty;
    }

    public static byte[]? TryReadFile(string directory, long offset)
    {
        try
        {
            return File.ReadAllBytes(PathFor(directory, offset));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes durably and atomically: a crash leaves the whole file or none (a torn temp file is removed at open).</summary>
    public static void Write(string directory, long offset, byte[] bytes)
    {
        var path = PathFor(directory, offset);
        var temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, bytes, 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(temp, path, overwrite: true);
    }

    public static void Delete(string directory, long offset) => LogFiles.TryDelete(PathFor(directory, offset));
}
