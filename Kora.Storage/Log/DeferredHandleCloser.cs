namespace Kora.Storage.Log;

/// <summary>
/// Closes the handles of deleted segments after a grace period, Kafka's file.delete.delay.ms. Fetch results
/// hold those handles until the response is written, and nothing tells the log when that is; deleting the
/// files at once and closing the descriptors a minute later keeps those reads valid without per-fetch
/// reference counting. The disk space is freed when the descriptors close.
/// </summary>
internal static class DeferredHandleCloser
{
    public static readonly TimeSpan Delay = TimeSpan.FromMinutes(1);

    private static readonly Lock Gate = new();
    private static readonly List<Entry> Pending = [];

    public static int PendingCount
    {
        get
        {
            lock (Gate)
            {
                return Pending.Count;
            }
        }
    }

    public static void Schedule(LogSegment segment, TimeProvider time)
    {
        lock (Gate)
        {
            Pending.Add(new Entry(segment, time, time.GetUtcNow() + Delay));
        }
    }

    /// <summary>
    /// Closes what is due. Every log maintenance call sweeps, so no timer is needed. The closes happen under the
    /// lock (closing a descriptor does not wait on the disk) so that when any sweep returns, everything due is closed,
    /// even entries another thread's concurrent sweep picked up.
    /// </summary>
    public static void CloseDue()
    {
        lock (Gate)
        {
            for (var i = Pending.Count - 1; i >= 0; i--)
            {
                var entry = Pending[i];
                if (entry.Time.GetUtcNow() >= entry.Due)
                {
                    Pending.RemoveAt(i);
                    entry.Segment.CloseHandles();
                }
            }
        }
    }

    private readonly record struct Entry(LogSegment Segment, TimeProvider Time, DateTimeOffset Due);
}
