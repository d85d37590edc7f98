using System.Collections.Concurrent;
using Kora.Raft.Core;
using Kora.Raft.Log;
using Kora.Raft.Messages;
using Kora.Raft.Network;
using Microsoft.Extensions.Logging;

namespace Kora.Raft.Hosting;

/// <summary>
/// Runs one <see cref="RaftCore"/> on a dedicated thread: the only thread that touches the core, its log
/// and the state machine listening to it, so none of them needs a lock. Everything else (arriving
/// messages, finished fsyncs, work of the state machine) is posted here and runs in order between
/// polls. fsyncs run on the thread pool and come back as events.
/// </summary>
public sealed partial class RaftLoop : IRaftTransportEvents, IRaftFlushScheduler, IDisposable
{
    private readonly BlockingCollection<Action<RaftCore>> _events = new(new ConcurrentQueue<Action<RaftCore>>());
    private readonly ILogger _logger;
    private readonly Action<Exception> _onFatal;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RaftCore? _core;
    private Thread? _thread;
    private volatile bool _stopping;

    public RaftLoop(ILogger logger, Action<Exception> onFatal)
    {
        _logger = logger;
        _onFatal = onFatal;
    }

    /// <summary>Monotonic milliseconds: the core's clock.</summary>
    public static long Now => Environment.TickCount64;

    /// <summary>
    /// The state machine's own timers (leases, snapshots): called on the loop after every poll with the
    /// current time; returns when it next wants to run.
    /// </summary>
    public Func<RaftCore, long, long>? Tick { get; set; }

    /// <summary>Finishes once the loop thread has exited.</summary>
    public Task Stopped => _stopped.Task;

    public bool IsLoopThread => Thread.CurrentThread == _thread;

    public void Start(RaftCore core, string threadName)
    {
        _core = core;
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread, after what was posted before it.</summary>
    public void Post(Action<RaftCore> action)
    {
        if (!_events.IsAddingCompleted)
        {
            try
            {
                _events.Add(action);
            }
            catch (InvalidOperationException)
            {
                // The loop stopped between the check and the add: nothing runs any more.
            }
        }
    }

    public void OnMessage(RaftMessage message) => Post(core => core.Handle(message, Now));

    public void OnRequestFailed(int destination, int correlationId) => Post(core => core.OnRequestFailed(destination, correlationId, Now));

    public void Schedule(RaftLogFlush flush) => ThreadPool.UnsafeQueueUserWorkItem(_ =>
    {
        try
        {
            flush.Run();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A replica that cannot sync cannot vouch for its log; Kafka halts here too.
            Fail(e);
            return;
        }
        Post(core => core.OnFlushCompleted(flush, Now));
    }, null);

    private void Run()
    {
        var core = _core!;
        try
        {
            core.Initialize(Now);
            var deadline = PollAll(core);
            while (!_stopping)
            {
                var wait = (int)Math.Clamp(deadline - Now, 0, 1000);
                if (_events.TryTake(out var action, wait))
                {
                    action(core);
                    while (!_stopping && _events.TryTake(out action))
                    {
                        action(core);
                    }
                }
                deadline = PollAll(core);
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            _events.CompleteAdding();
            _stopped.TrySetResult();
        }
    }

    private long PollAll(RaftCore core)
    {
        var deadline = core.Poll(Now);
        return Tick is { } tick ? Math.Min(deadline, tick(core, Now)) : deadline;
    }

    private void Fail(Exception e)
    {
        Log.Fatal(_logger, e);
        _stopping = true;
        _onFatal(e);
    }

    /// <summary>
    /// Stops the loop. A leader first resigns (EndQuorumEpoch tells the voters to elect at once rather
    /// than wait out their fetch timeout), for at most <paramref name="resignTimeout"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan resignTimeout)
    {
        if (_thread is null)
        {
            return;
        }
        var resigned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(core =>
        {
            core.Resign();
            core.Poll(Now);
            resigned.TrySetResult();
        });
        try
        {
            await resigned.Task.WaitAsync(resignTimeout).ConfigureAwait(false);
            // Give the EndQuorumEpoch requests a moment on the wire.
            await Task.Delay(50).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        _stopping = true;
        Post(_ => { });
        await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    public void Dispose() => _events.Dispose();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Critical, "The Raft loop failed; this replica stops")]
        public static partial void Fatal(ILogger logger, Exception exception);
    }
}
