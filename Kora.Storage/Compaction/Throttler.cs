namespace Kora.Storage.Compaction;

/// <summary>log.cleaner.io.max.bytes.per.second: sleeps the cleaner thread when its I/O runs ahead of the budget.</summary>
internal sealed class Throttler(double bytesPerSecond, TimeProvider time)
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(300);
    private readonly Lock _gate = new();
    private long _periodStart = time.GetTimestamp();
    private double _observed;

    public void MaybeThrottle(long bytes, CancellationToken cancellation)
    {
        if (double.IsInfinity(bytesPerSecond) || bytesPerSecond >= double.MaxValue)
        {
            return;
        }
        TimeSpan sleep;
        lock (_gate)
        {
            _observed += bytes;
            var elapsed = time.GetElapsedTime(_periodStart);
            if (elapsed < CheckInterval)
            {
                return;
            }
            var due = TimeSpan.FromSeconds(_observed / bytesPerSecond);
            sleep = due - elapsed;
            _periodStart = time.GetTimestamp();
            _observed = 0;
        }
        if (sleep > TimeSpan.Zero)
        {
            cancellation.WaitHandle.WaitOne(sleep);
        }
    }
}
