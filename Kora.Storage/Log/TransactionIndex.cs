using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Log;

/// <summary>
/// A segment's aborted-transaction index (.txnindex), Kafka's layout: 34-byte big-endian entries
/// [version int16 = 0][producer id][first offset][last offset][last stable offset], one per ABORT marker in the
/// segment, in marker order. The file is created by the first entry. Entries are also held in memory, published
/// as immutable views, so read_committed fetches search them without locks or I/O.
/// </summary>
internal sealed class TransactionIndex : IDisposable
{
    public const int EntrySize = 34;
    private const short Version = 0;

    private readonly Lock _gate = new();
    private View _view = View.Empty;
    private readonly LazyFileHandle _file;
    private bool _dirty;
    private bool _disposed;

    private TransactionIndex(string path, View view)
    {
        Path = path;
        _view = view;
        _file = new LazyFileHandle(path, "transaction index");
    }

    public string Path { get; }

    public bool IsEmpty => Volatile.Read(ref _view).Count == 0;

    public int Count => Volatile.Read(ref _view).Count;

    /// <summary>A new segment's index; a stale file of that name (a segment deleted before a crash) must not be appended to.</summary>
    public static TransactionIndex Create(string path)
    {
        LogFiles.TryDelete(path);
        return Empty(path);
    }

    private static TransactionIndex Empty(string path) => new(path, View.Empty);

    /// <summary>
    /// The index of a segment the cleaner writes. It starts, and stays, empty: the cleaner removes the records of
    /// every aborted transaction whose marker it cleans, so no read_committed fetch needs those entries any more.
    /// The file at <paramref name="path"/> still belongs to the segment being replaced and goes with it.
    /// </summary>
    public static TransactionIndex ForCleanedSegment(string path) => Empty(path);

    /// <summary>Reads the file if there is one; a trailing partial entry (a torn write) is ignored and cut.</summary>
    public static TransactionIndex Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return Empty(path);
        }
        var count = bytes.Length / EntrySize;
        var entries = new AbortedTxn[Math.Max(count, 4)];
        var valid = 0;
        for (; valid < count; valid++)
        {
            var entry = bytes.AsSpan(valid * EntrySize, EntrySize);
            if (BinaryPrimitives.ReadInt16BigEndian(entry) != Version)
            {
                break;
            }
            entries[valid] = new AbortedTxn(
                BinaryPrimitives.ReadInt64BigEndian(entry[2..]),
                BinaryPrimitives.ReadInt64BigEndian(entry[10..]),
                BinaryPrimitives.ReadInt64BigEndian(entry[18..]),
                BinaryPrimitives.ReadInt64BigEndian(entry[26..]));
        }
        var index = new TransactionIndex(path, new View(entries, valid));
        if ((long)valid * EntrySize != bytes.Length)
        {
            index.SetFileLength(valid);
        }
        return index;
    }

    public AbortedTxn this[int index] => Volatile.Read(ref _view).Entries[index];

    /// <summary>Adds an entry for a marker just appended to the segment. Called under the partition's append lock.</summary>
    public void Append(AbortedTxn entry)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var view = _view;
            Span<byte> bytes = stackalloc byte[EntrySize];
            BinaryPrimitives.WriteInt16BigEndian(bytes, Version);
            BinaryPrimitives.WriteInt64BigEndian(bytes[2..], entry.ProducerId);
            BinaryPrimitives.WriteInt64BigEndian(bytes[10..], entry.FirstOffset);
            BinaryPrimitives.WriteInt64BigEndian(bytes[18..], entry.LastOffset);
            BinaryPrimitives.WriteInt64BigEndian(bytes[26..], entry.LastStableOffset);
            RandomAccess.Write(Handle(), bytes, (long)view.Count * EntrySize);
            _dirty = true;
            var entries = view.Entries;
            if (view.Count == entries.Length)
            {
                Array.Resize(ref entries, Math.Max(4, entries.Length * 2));
            }
            // Readers of the old view never look at index Count, so writing it in the shared array is safe.
            entries[view.Count] = entry;
            Volatile.Write(ref _view, new View(entries, view.Count + 1));
        }
    }

    /// <summary>Drops the entries whose marker is at or after <paramref name="offset"/> (truncation, or before a replay rebuilds them).</summary>
    public void TruncateFrom(long offset)
    {
        lock (_gate)
        {
            var view = _view;
            var keep = view.Count;
            while (keep > 0 && view.Entries[keep - 1].LastOffset >= offset)
            {
                keep--;
            }
            if (keep == view.Count)
            {
                return;
            }
            // A fresh array: fetches may still be reading the old one's tail.
            var entries = new AbortedTxn[Math.Max(4, keep)];
            Array.Copy(view.Entries, entries, keep);
            Volatile.Write(ref _view, new View(entries, keep));
            SetFileLength(keep);
        }
    }

    /// <summary>
    /// Kafka's search: the entries overlapping [<paramref name="fetchOffset"/>, <paramref name="upperBoundOffset"/>).
    /// True when an entry's last stable offset reaches the upper bound, so no later segment can hold more.
    /// </summary>
    public bool Collect(long fetchOffset, long upperBoundOffset, ref List<AbortedTxn>? into)
    {
        var view = Volatile.Read(ref _view);
        for (var i = 0; i < view.Count; i++)
        {
            var entry = view.Entries[i];
            if (entry.LastOffset >= fetchOffset && entry.FirstOffset < upperBoundOffset)
            {
                (into ??= []).Add(entry);
            }
            if (entry.LastStableOffset >= upperBoundOffset)
            {
                return true;
            }
        }
        return false;
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (!_dirty || _disposed || _file.IsDeleted)
            {
                return;
            }
            // The handle may have been released since the write; fsync through a new one syncs the same file.
            RandomAccess.FlushToDisk(Handle());
            _dirty = false;
        }
    }

    /// <summary>Closes the descriptor of a segment that is not written to; it reopens on demand, and a pending fsync with it.</summary>
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

    public void Delete()
    {
        lock (_gate)
        {
            // A later segment with the same base offset may create this name again: never reopen it from here.
            _file.MarkDeleted();
        }
        LogFiles.TryDelete(Path);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _file.Close();
        }
    }

    private SafeFileHandle Handle() => _file.Get(FileMode.OpenOrCreate);

    private void SetFileLength(int entries)
    {
        if (entries == 0 && !_file.IsOpen && !File.Exists(Path))
        {
            return;
        }
        RandomAccess.SetLength(Handle(), (long)entries * EntrySize);
        _dirty = true;
    }

    private sealed record View(AbortedTxn[] Entries, int Count)
    {
        public static readonly View Empty = new([], 0);
    }
}
