using Microsoft.Win32.SafeHandles;

namespace Kora.Raft.Storage;

/// <summary>
/// <see cref="IRaftFileSystem"/> on the real disk. Append handles stay open per file so an append is
/// one positioned write; <see cref="Flush"/> is a real fsync of the data.
/// </summary>
public sealed class PhysicalFileSystem : IRaftFileSystem, IDisposable
{
    private readonly Dictionary<string, (SafeFileHandle Handle, long Length)> _open = new(StringComparer.Ordinal);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>().ToList()
            : [];

    public bool Exists(string path) => File.Exists(path);

    public long Length(string path) =>
        _open.TryGetValue(path, out var open) ? open.Length : new FileInfo(path).Length;

    public int Read(string path, long position, Span<byte> destination)
    {
        if (_open.TryGetValue(path, out var open))
        {
            return ReadFully(open.Handle, position, destination);
        }
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return ReadFully(handle, position, destination);
    }

    private static int ReadFully(SafeFileHandle handle, long position, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    public void Append(string path, ReadOnlySpan<byte> data)
    {
        var (handle, length) = OpenForAppend(path);
        RandomAccess.Write(handle, data, length);
        _open[path] = (handle, length + data.Length);
    }

    public void Flush(string path)
    {
        if (_open.TryGetValue(path, out var open))
        {
            RandomAccess.FlushToDisk(open.Handle);
        }
    }

    public Action PrepareFlush(string path)
    {
        if (!_open.TryGetValue(path, out var open))
        {
            return static () => { };
        }
        var handle = open.Handle;
        return () =>
        {
            try
            {
                RandomAccess.FlushToDisk(handle);
            }
            catch (ObjectDisposedException)
            {
                // The file was deleted (truncated away or below a snapshot) meanwhile: nothing of it is kept.
            }
        };
    }

    public void Truncate(string path, long length)
    {
        var (handle, _) = OpenForAppend(path);
        RandomAccess.SetLength(handle, length);
        RandomAccess.FlushToDisk(handle);
        _open[path] = (handle, length);
    }

    public void Delete(string path)
    {
        Close(path);
        File.Delete(path);
    }

    public void WriteAtomically(string path, ReadOnlySpan<byte> data)
    {
        Close(path);
        var temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, data, 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(temp, path, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(path)!);
    }

    private (SafeFileHandle Handle, long Length) OpenForAppend(string path)
    {
        if (!_open.TryGetValue(path, out var open))
        {
            var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
            open = (handle, RandomAccess.GetLength(handle));
            _open[path] = open;
        }
        return open;
    }

    private void Close(string path)
    {
        if (_open.Remove(path, out var open))
        {
            open.Handle.Dispose();
        }
    }

    /// <summary>A rename is durable only once its directory is fsynced (a no-op where directories cannot be opened).</summary>
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            RandomAccess.FlushToDisk(handle);
        }
        catch (UnauthorizedAccessException)
        {
            // Some file systems refuse to open directories; the rename is still atomic there.
        }
        catch (IOException)
        {
        }
    }

    public void Dispose()
    {
        foreach (var (handle, _) in _open.Values)
        {
            handle.Dispose();
        }
        _open.Clear();
    }
}
