using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Log;

/// <summary>
/// A sparse index of sorted fixed-size big-endian entries, Kafka's layout: the offset index maps a relative
/// offset (int32) to a file position (int32); the time index maps a timestamp (int64) to a relative offset (int32).
/// Nothing is held in memory but the last entry and, while the segment is active, a few unwritten entries:
/// lookups binary-search the file with positioned reads, which the page cache serves.
/// </summary>
internal sealed class IndexFile : IDisposable
{
    // Entries are written in small groups so an append pays a write system call per group, not per entry.
    private const int PendingCapacity = 64;

    // Below this many candidates one read of the whole range beats more probes.
    private const int BlockEntries = 256;

    private readonly Lock _gate = new();
    private readonly Lock _writeGate = new();
    private readonly bool _wideKey;
    private readonly LazyFileHandle _file;
    private bool _disposed;

    // Entries were written (or the file cut) since the last fsync; the fsync reopens the file if its handle was released.
    private bool _dirty;
    private int _fileEntries;
    private bool _hasLastFileEntry;
    private long _lastFileKey;
    private int _lastFileValue;
    private long[]? _pendingKeys;
    private int[]? _pendingValues;
    private int _pendingCount;

    private IndexFile(string path, bool wideKey, SafeFileHandle? handle, int fileEntries)
    {
        Path = path;
        _wideKey = wideKey;
        _file = new LazyFileHandle(path, "index", handle);
        _fileEntries = fileEntries;
    }

    public string Path { get; }
    public int EntrySize => _wideKey ? 12 : 8;

    /// <summary>Entries written to the file plus those still pending.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _fileEntries + _pendingCount;
            }
        }
    }

    /// <summary>Creates (or empties) the file without keeping a descriptor: a new segment may stay idle for long.</summary>
    public static IndexFile Create(string path, bool wideKey)
    {
        LogFiles.Open(path, FileMode.Create).Dispose();
        return new IndexFile(path, wideKey, null, 0);
    }

    /// <summary>
    /// An index written at <paramref name="writePath"/> that will be renamed to <paramref name="path"/> (the cleaner's
    /// .cleaned files): the open handle follows the rename, later reopens use the final name.
    /// </summary>
    public static IndexFile CreateAt(string path, string writePath, bool wideKey) =>
        new(path, wideKey, LogFiles.Open(writePath, FileMode.Create), 0);

    /// <summary>Opens an existing index without keeping a handle; a trailing partial entry (a torn write) is ignored.</summary>
    public static IndexFile Load(string path, bool wideKey)
    {
        var info = new FileInfo(path);
        var entrySize = wideKey ? 12 : 8;
        var entries = info.Exists ? (int)Math.Min(info.Length / entrySize, int.MaxValue) : 0;
        return new IndexFile(path, wideKey, null, entries);
    }

    /// <summary>Whether the file exists and holds only whole entries.</summary>
    public static bool IsWellFormed(string path, bool wideKey)
    {
        var info = new FileInfo(path);
        return info.Exists && info.Length % (wideKey ? 12 : 8) == 0;
    }

    public void Append(long key, int value)
    {
        while (!TryAddPending(key, value))
        {
            // Full, because an earlier group write failed: retry it to make room.
            WritePending();
        }
        bool full;
        lock (_gate)
        {
            full = _pendingCount == PendingCapacity;
        }
        if (full)
        {
            WritePending();
        }
    }

    private bool TryAddPending(long key, int value)
    {
        lock (_gate)
        {
            if (_pendingCount == PendingCapacity)
            {
                return false;
            }
            _pendingKeys ??= new long[PendingCapacity];
            _pendingValues ??= new int[PendingCapacity];
            _pendingKeys[_pendingCount] = key;
            _pendingValues[_pendingCount] = value;
            _pendingCount++;
            return true;
        }
    }

    /// <summary>Writes pending entries to the file (page cache).</summary>
    public void WritePending()
    {
        // The appender and a flush of a just-sealed segment may both get here; entries must be written once, in order.
        lock (_writeGate)
        {
            WritePendingUnderWriteGate();
        }
    }

    private void WritePendingUnderWriteGate()
    {
        SafeFileHandle handle;
        int count;
        int first;
        lock (_gate)
        {
            count = _pendingCount;
            if (count == 0)
            {
                return;
            }
            handle = HandleUnderGate();
            first = _fileEntries;
            _dirty = true;
        }
        // Readers keep searching the pending arrays until the count below moves, so the arrays stay put meanwhile.
        Span<byte> bytes = stackalloc byte[PendingCapacity * 12];
        var size = EntrySize;
        for (var i = 0; i < count; i++)
        {
            Encode(bytes.Slice(i * size, size), _pendingKeys![i], _pendingValues![i]);
        }
        RandomAccess.Write(handle, bytes[..(count * size)], (long)first * size);
        lock (_gate)
        {
            _lastFileKey = _pendingKeys![count - 1];
            _lastFileValue = _pendingValues![count - 1];
            _hasLastFileEntry = true;
            _fileEntries += count;
            // Entries appended while the write ran stay pending.
            _pendingCount -= count;
            Array.Copy(_pendingKeys, count, _pendingKeys, 0, _pendingCount);
            Array.Copy(_pendingValues, count, _pendingValues, 0, _pendingCount);
        }
    }

    /// <summary>The segment became immutable: write what is pending and drop the buffers.</summary>
    public void Seal()
    {
        lock (_writeGate)
        {
            WritePendingUnderWriteGate();
            lock (_gate)
            {
                if (_pendingCount == 0)
                {
                    _pendingKeys = null;
                    _pendingValues = null;
                }
            }
        }
    }

    public void Flush()
    {
        WritePending();
        SafeFileHandle handle;
        lock (_gate)
        {
            if (_disposed || _file.IsDeleted || !_dirty)
            {
                return;
            }
            // A descriptor opened after the writes syncs them too: fsync works on the file, not the descriptor.
            handle = HandleUnderGate();
            _dirty = false;
        }
        try
        {
            RandomAccess.FlushToDisk(handle);
        }
        catch
        {
            lock (_gate)
            {
                _dirty = true;
            }
            throw;
        }
    }

    /// <summary>Empties the index, or creates it when it went missing, for a rebuild.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            RandomAccess.SetLength(HandleUnderGate(FileMode.OpenOrCreate), 0);
            _dirty = true;
            _fileEntries = 0;
            _pendingCount = 0;
            _hasLastFileEntry = false;
        }
    }

    public bool TryGetLast(out long key, out int value)
    {
        lock (_gate)
        {
            if (_pendingCount > 0)
            {
                key = _pendingKeys![_pendingCount - 1];
                value = _pendingValues![_pendingCount - 1];
                return true;
            }
            if (_fileEntries == 0)
            {
                key = 0;
                value = 0;
                return false;
            }
            LoadLastFileEntryUnderGate();
            key = _lastFileKey;
            value = _lastFileValue;
            return true;
        }
    }

    /// <summary>
    /// The entry with the largest key at most <paramref name="key"/> (or below it when <paramref name="strict"/>).
    /// </summary>
    public bool TryFindFloor(long key, bool strict, out long foundKey, out int value)
    {
        SafeFileHandle handle;
        int entries;
        lock (_gate)
        {
            if (_pendingCount > 0 && Accepts(_pendingKeys![0], key, strict))
            {
                var i = _pendingCount - 1;
                while (!Accepts(_pendingKeys[i], key, strict))
                {
                    i--;
                }
                foundKey = _pendingKeys[i];
                value = _pendingValues![i];
                return true;
            }
            entries = _fileEntries;
            if (entries == 0)
            {
                foundKey = 0;
                value = 0;
                return false;
            }
            LoadLastFileEntryUnderGate();
            if (Accepts(_lastFileKey, key, strict))
            {
                // The common case: a consumer reading near the end of the segment.
                foundKey = _lastFileKey;
                value = _lastFileValue;
                return true;
            }
            handle = HandleUnderGate();
        }
        return SearchFile(handle, entries - 1, key, strict, out foundKey, out value);
    }

    private bool SearchFile(SafeFileHandle handle, int count, long key, bool strict, out long foundKey, out int value)
    {
        // Invariant: the answer lies in [lo, hi], or is the entry already found left of lo.
        var size = EntrySize;
        Span<byte> entry = stackalloc byte[12];
        var lo = 0;
        var hi = count - 1;
        var found = false;
        foundKey = 0;
        value = 0;
        while (hi - lo >= BlockEntries)
        {
            var mid = lo + ((hi - lo) / 2);
            ReadEntry(handle, mid, entry[..size]);
            var (k, v) = Decode(entry[..size]);
            if (Accepts(k, key, strict))
            {
                (found, foundKey, value) = (true, k, v);
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        if (hi < lo)
        {
            return found;
        }
        Span<byte> block = stackalloc byte[BlockEntries * 12];
        var length = (hi - lo + 1) * size;
        if (LogFiles.ReadFully(handle, block[..length], (long)lo * size) != length)
        {
            throw new IOException($"Index {Path} is shorter than its entry count.");
        }
        for (var i = 0; i <= hi - lo; i++)
        {
            var (k, v) = Decode(block.Slice(i * size, size));
            if (!Accepts(k, key, strict))
            {
                break;
            }
            (found, foundKey, value) = (true, k, v);
        }
        return found;
    }

    private static bool Accepts(long entryKey, long key, bool strict) => strict ? entryKey < key : entryKey <= key;

    private void LoadLastFileEntryUnderGate()
    {
        if (_hasLastFileEntry)
        {
            return;
        }
        Span<byte> entry = stackalloc byte[12];
        ReadEntry(HandleUnderGate(), _fileEntries - 1, entry[..EntrySize]);
        (_lastFileKey, _lastFileValue) = Decode(entry[..EntrySize]);
        _hasLastFileEntry = true;
    }

    private void ReadEntry(SafeFileHandle handle, int index, Span<byte> destination)
    {
        if (LogFiles.ReadFully(handle, destination, (long)index * EntrySize) != destination.Length)
        {
            throw new IOException($"Index {Path} is shorter than its entry count.");
        }
    }

    private void Encode(Span<byte> destination, long key, int value)
    {
        if (_wideKey)
        {
            BinaryPrimitives.WriteInt64BigEndian(destination, key);
            BinaryPrimitives.WriteInt32BigEndian(destination[8..], value);
        }
        else
        {
            BinaryPrimitives.WriteInt32BigEndian(destination, checked((int)key));
            BinaryPrimitives.WriteInt32BigEndian(destination[4..], value);
        }
    }

    private (long Key, int Value) Decode(ReadOnlySpan<byte> source) =>
        _wideKey
            ? (BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[8..]))
            : (BinaryPrimitives.ReadInt32BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[4..]));

    private SafeFileHandle HandleUnderGate(FileMode mode = FileMode.Open)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Open, not create: a lookup racing with retention must fail rather than leave an empty file behind.
        return _file.Get(mode);
    }

    /// <summary>Closes the descriptor but stays usable; the next lookup reopens the file.</summary>
    public void ReleaseHandle()
    {
        lock (_gate)
        {
            _file.Release();
        }
    }

    /// <summary>Closes the descriptor once it went unused for <paramref name="idleMs"/>. True when it closed one.</summary>
    public bool ReleaseIfIdle(long nowMs, long idleMs)
    {
        lock (_gate)
        {
            return _file.ReleaseIfIdle(nowMs, idleMs);
        }
    }

    /// <summary>The file is about to be unlinked: from now on only a descriptor already open may serve reads.</summary>
    public void MarkDeleted()
    {
        lock (_gate)
        {
            _file.MarkDeleted();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _file.Close();
        }
    }
}
