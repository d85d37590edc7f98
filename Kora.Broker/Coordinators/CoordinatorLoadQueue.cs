namespace Kora.Broker.Coordinators;

/// <summary>
/// Kafka's group and transaction coordinators load and unload partitions on their own scheduler thread, never on the
/// thread that applies metadata: replaying a large <c>__consumer_offsets</c> partition must not hold back the image
/// changes behind it. Work runs one item at a time on the thread pool, in the order it was queued, so a load and the
/// unload of the same partition that follows it never overlap.
/// </summary>
public sealed partial class CoordinatorLoadQueue(ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private Task _tail = Task.CompletedTask;
    private volatile bool _disposed;

    /// <summary>Runs <paramref name="work"/> after everything queued before it. Its exceptions are logged, not thrown.</summary>
    public Task Enqueue(string what, Action work)
    {
        lock (_gate)
        {
            _tail = _tail.ContinueWith(_ => Run(what, work), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return _tail;
        }
    }

    private void Run(string what, Action work)
    {
        if (_disposed)
        {
            return;
        }
        try
        {
            work();
        }
        catch (Exception e) when (_disposed && e is ObjectDisposedException or IOException)
        {
            // Shutdown closed the log being replayed; the next start loads it again.
        }
        catch (Exception e)
        {
            Log.Failed(logger, e, what);
        }
    }

    /// <summary>Skips the work not yet started; a running load ends when shutdown closes the log it reads.</summary>
    public void Dispose() => _disposed = true;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Coordinator {Work} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string work);
    }
}
