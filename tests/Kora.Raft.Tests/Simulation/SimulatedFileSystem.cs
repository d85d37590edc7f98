using System.Runtime.InteropServices;
using Kora.Raft.Storage;

namespace Kora.Raft.Tests.Simulation;

/// <summary>
/// A disk for one simulated machine. Appends sit in the page cache until <see cref="Flush"/>; a crash
/// keeps what was flushed plus a random prefix of the rest, and may garble the surviving unflushed
/// bytes (a torn write). Truncation, deletion and atomic replacement are durable when they return.
/// </summary>
public sealed class SimulatedFileSystem : IRaftFileSystem
{
    private sealed class SimFile
    {
        public List<byte> Bytes { get; } = [];
        public int Durable { get; set; }
    }

    private readonly Dictionary<string, SimFile> _files = new(StringComparer.Ordinal);

    public void CreateDirectory(string path)
    {
    }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        return _files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.IndexOf('/', prefix.Length) < 0)
            .Select(k => k[prefix.Length..]).Order(StringComparer.Ordinal).ToList();
    }

    public bool Exists(string path) => _files.ContainsKey(path);

    public long Length(string path) => _files.TryGetValue(path, out var file) ? file.Bytes.Count : 0;

    public int Read(string path, long position, Span<byte> destination)
    {
        if (!_files.TryGetValue(path, out var file) || position >= file.Bytes.Count)
        {
            return 0;
        }
        var count = (int)Math.Min(destination.Length, file.Bytes.Count - position);
        CollectionsMarshal.AsSpan(file.Bytes).Slice((int)position, count).CopyTo(destination);
        return count;
    }

    public void Append(string path, ReadOnlySpan<byte> data)
    {
        if (!_files.TryGetValue(path, out var file))
        {
            file = _files[path] = new SimFile();
        }
        file.Bytes.AddRange(data);
    }

    public void Flush(string path)
    {
        if (_files.TryGetValue(path, out var file))
        {
            file.Durable = file.Bytes.Count;
        }
    }

    public void Truncate(string path, long length)
    {
        if (!_files.TryGetValue(path, out var file))
        {
            file = _files[path] = new SimFile();
        }
        if (length < file.Bytes.Count)
        {
            file.Bytes.RemoveRange((int)length, file.Bytes.Count - (int)length);
        }
        file.Durable = Math.Min(file.Durable, file.Bytes.Count);
    }

    public void Delete(string path) => _files.Remove(path);

    public void WriteAtomically(string path, ReadOnlySpan<byte> data)
    {
        var file = new SimFile();
        file.Bytes.AddRange(data.ToArray());
        file.Durable = file.Bytes.Count;
        _files[path] = file;
    }

    /// <summary>Power loss: returns how many files lost or garbled unflushed bytes.</summary>
    public int Crash(Random random, bool allowTornWrites)
    {
        var damaged = 0;
        foreach (var file in _files.Values)
        {
            var unflushed = file.Bytes.Count - file.Durable;
            if (unflushed == 0)
            {
                continue;
            }
            var keep = file.Durable + random.Next(unflushed + 1);
            file.Bytes.RemoveRange(keep, file.Bytes.Count - keep);
            if (allowTornWrites && keep > file.Durable && random.Next(2) == 0)
            {
                var at = file.Durable + random.Next(keep - file.Durable);
                file.Bytes[at] ^= (byte)(1 + random.Next(255));
            }
            file.Durable = file.Bytes.Count;
            damaged++;
        }
        return damaged;
    }
}
