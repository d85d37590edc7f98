namespace Kora.Storage.Log;

/// <summary>Keeps idle partitions from holding file descriptors, so a broker can host many more partitions than its open-file limit.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// How long a descriptor must go unused before <see cref="ReleaseIdleHandles"/> closes it. As long as the grace
    /// period of a deleted segment's handles: a fetch result holding a file region is written out well within it.
    /// </summary>
    public static TimeSpan HandleIdleTime => DeferredHandleCloser.Delay;

    /// <summary>
    /// Closes the segment and index descriptors nobody used for <see cref="HandleIdleTime"/>; any read, append or
    /// fsync reopens them. Returns how many descriptors it closed.
    /// </summary>
    public int ReleaseIdleHandles(long nowMs)
    {
        if (Volatile.Read(ref _closed))
        {
            return 0;
        }
        var idleMs = (long)HandleIdleTime.TotalMilliseconds;
        var released = 0;
        foreach (var segment in Volatile.Read(ref _segments))
        {
            released += segment.ReleaseIdleHandles(nowMs, idleMs);
        }
        return released;
    }
}
