namespace Kora.Network;

/// <summary>
/// Caps the request bytes a connection may have read but not yet answered. The reader waits here, so a
/// client that pipelines faster than the server answers is slowed by TCP back-pressure instead of memory.
/// A single request larger than the cap is still admitted when nothing else is in flight.
/// </summary>
internal sealed class InFlightBudget(long capacity)
{
    private readonly SemaphoreSlim _released = new(0);
    private long _used;

    public ValueTask AcquireAsync(long bytes, CancellationToken cancellation)
    {
        if (Interlocked.Read(ref _used) == 0 || Interlocked.Read(ref _used) + bytes <= capacity)
        {
            Interlocked.Add(ref _used, bytes);
            return ValueTask.CompletedTask;
        }
        return WaitAsync(bytes, cancellation);
    }

    private async ValueTask WaitAsync(long bytes, CancellationToken cancellation)
    {
        while (Interlocked.Read(ref _used) != 0 && Interlocked.Read(ref _used) + bytes > capacity)
        {
            await _released.WaitAsync(cancellation).ConfigureAwait(false);
        }
        Interlocked.Add(ref _used, bytes);
    }

    public void Release(long bytes)
    {
        Interlocked.Add(ref _used, -bytes);
        if (_released.CurrentCount == 0)
        {
            _released.Release();
        }
    }
}
