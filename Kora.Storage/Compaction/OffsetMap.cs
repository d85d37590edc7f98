using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kora.Storage.Compaction;

/// <summary>
/// Kafka's SkimpyOffsetMap: key → latest offset in a fixed block of memory. A key is stored as its MD5 digest
/// (16 bytes) beside the offset (8 bytes), in an open-addressed table with linear probing; two keys with the same
/// digest are taken to be the same key, as Kafka does. Nothing is allocated per key.
/// </summary>
internal sealed class OffsetMap
{
    private const int HashSize = 16;
    private const int EntrySize = HashSize + sizeof(long);

    private readonly byte[] _table;
    private int _entries;

    public OffsetMap(long memoryBytes)
    {
        var slots = (int)Math.Clamp(memoryBytes / EntrySize, 1, Array.MaxLength / EntrySize);
        Slots = slots;
        _table = new byte[(long)slots * EntrySize];
        LatestOffset = -1;
    }

    public int Slots { get; }

    /// <summary>Keys stored.</summary>
    public int Size => _entries;

    /// <summary>The last offset the map was built up to (-1 when empty); later records are beyond its knowledge.</summary>
    public long LatestOffset { get; private set; }

    public double Utilization => (double)_entries / Slots;

    public void Clear()
    {
        Array.Clear(_table);
        _entries = 0;
        LatestOffset = -1;
    }

    public void UpdateLatestOffset(long offset)
    {
        if (offset > LatestOffset)
        {
            LatestOffset = offset;
        }
    }

    /// <summary>Records <paramref name="offset"/> as the latest for <paramref name="key"/>. The caller keeps the map below its load factor.</summary>
    public void Put(ReadOnlySpan<byte> key, long offset)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        MD5.HashData(key, hash);
        var slot = FindSlot(hash, out var found);
        var entry = _table.AsSpan(slot * EntrySize, EntrySize);
        if (!found)
        {
            if (_entries == Slots)
            {
                throw new InvalidOperationException("The offset map is full.");
            }
            hash.CopyTo(entry);
            _entries++;
        }
        // Stored as offset + 1 so that an all-zero entry means an empty slot.
        BinaryPrimitives.WriteInt64LittleEndian(entry[HashSize..], offset + 1);
        UpdateLatestOffset(offset);
    }

    /// <summary>The latest offset recorded for <paramref name="key"/>, or -1 when the key is not in the map.</summary>
    public long Get(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        MD5.HashData(key, hash);
        var slot = FindSlot(hash, out var found);
        return found ? BinaryPrimitives.ReadInt64LittleEndian(_table.AsSpan((slot * EntrySize) + HashSize, sizeof(long))) - 1 : -1;
    }

    private int FindSlot(ReadOnlySpan<byte> hash, out bool found)
    {
        var slot = (int)((BinaryPrimitives.ReadUInt32LittleEndian(hash) & 0x7FFFFFFFu) % (uint)Slots);
        for (var probes = 0; probes < Slots; probes++)
        {
            var entry = _table.AsSpan(slot * EntrySize, EntrySize);
            if (BinaryPrimitives.ReadInt64LittleEndian(entry[HashSize..]) == 0)
            {
                found = false;
                return slot;
            }
            if (entry[..HashSize].SequenceEqual(hash))
            {
                found = true;
                return slot;
            }
            slot = slot + 1 == Slots ? 0 : slot + 1;
        }
        found = false;
        return slot;
    }
}
