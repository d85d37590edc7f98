namespace Kora.Raft.Storage;

/// <summary>
/// The few file operations the Raft log and quorum-state store need, behind an interface so the
/// deterministic simulation can substitute a disk that loses unsynced writes and tears the tail.
/// Paths are full paths; <see cref="Append"/> data is durable only after <see cref="Flush"/>.
/// </summary>
public interface IRaftFileSystem
{
    void CreateDirectory(string path);

    /// <summary>The names (not paths) of the files directly in <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    bool Exists(string path);

    long Length(string path);

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="position"/>; returns the count read.</summary>
    int Read(string path, long position, Span<byte> destination);

    /// <summary>Appends to the file, creating it when missing.</summary>
    void Append(string path, ReadOnlySpan<byte> data);

    /// <summary>fsync: everything appended so far survives a crash.</summary>
    void Flush(string path);

    /// <summary>
    /// An fsync of everything appended to the file so far, to run later on another thread while appends
    /// continue. A file deleted before it runs needs no sync. The default syncs by path and suits
    /// single-threaded file systems.
    /// </summary>
    Action PrepareFlush(string path) => () => Flush(path);

    void Truncate(string path, long length);

    void Delete(string path);

    /// <summary>Replaces the file so a crash leaves either the old or the new content: temp file, fsync, rename, directory fsync.</summary>
    void WriteAtomically(string path, ReadOnlySpan<byte> data);
}
