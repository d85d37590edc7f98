using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Log;

/// <summary>
/// An index file's descriptor: opened on first use, closed after a minute unused (so idle partitions hold no
/// descriptors), and never reopened by name once the file is marked deleted, because the name may by then belong
/// to a new segment with the same base offset. The owner calls every member under its own lock.
/// </summary>
internal sealed class LazyFileHandle(string path, string what, SafeFileHandle? opened = null)
{
    private SafeFileHandle? _handle = opened;
    private IdleHandleTracker _idle;

    public bool IsOpen => _handle is not null;

    public bool IsDeleted { get; private set; }

    /// <summary>The descriptor, opened with <paramref name="mode"/> when closed; only an open one serves after deletion.</summary>
    public SafeFileHandle Get(FileMode mode)
    {
        if (_handle is null && IsDeleted)
        {
            throw new FileNotFoundException($"The {what} was deleted.", path);
        }
        _idle.Touch();
        return _handle ??= LogFiles.Open(path, mode);
    }

    /// <summary>Closes the descriptor; the next use reopens the file (unless it was deleted meanwhile).</summary>
    public void Release()
    {
        if (!IsDeleted)
        {
            Close();
        }
    }

    /// <summary>Closes the descriptor once it went unused for <paramref name="idleMs"/>. True when it closed one.</summary>
    public bool ReleaseIfIdle(long nowMs, long idleMs)
    {
        if (_handle is null || IsDeleted || !_idle.IsIdle(nowMs, idleMs))
        {
            return false;
        }
        Close();
        return true;
    }

    public void MarkDeleted() => IsDeleted = true;

    public void Close()
    {
        _handle?.Dispose();
        _handle = null;
    }
}
