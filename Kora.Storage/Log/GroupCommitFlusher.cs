namespace Kora.Storage.Log;

/// <summary>
/// Group commit for fsync. One flush runs at a time on the thread pool. A caller whose offset the running
/// flush already covers waits for it; any other caller joins the next flush, which starts as soon as the
/// running one ends and covers everything appended by then. N concurrent producers cost about two fsyncs.
/// </summary>
internal sealed class GroupCommitFlusher
{
    private readonly Lock _gate = new();
    private readonly Func<long> _captureEnd;
    private readonly Action<long, long> _flush;
    private readonly Action<Exception> _onError;
    private Round? _running;
    private Round? _queued;
    private bool _looping;
    private long _flushedEnd;
    private long _generation;

    /// <param name="flushedEnd">Offsets below this are already durable.</param>
    /// <param name="captureEnd">The log end offset; all offsets below it are in the page cache.</param>
    /// <param name="flush">fsyncs the offsets in [from, to).</param>
    /// <param name="onError">Told of a failed fsync; the waiters get the exception too.</param>
    public GroupCommitFlusher(long flushedEnd, Func<long> captureEnd, Action<long, long> flush, Action<Exception> onError)
    {
        _flushedEnd = flushedEnd;
        _captureEnd = captureEnd;
        _flush = flush;
        _onError = onError;
    }

    /// <summary>Offsets below this are durable: the log's recovery point.</summary>
    public long FlushedEnd => Volatile.Read(ref _flushedEnd);

    /// <summary>Completes once <paramref name="upToOffset"/> is durable. The offset must already be appended.</summary>
    public Task FlushAsync(long upToOffset)
    {
        if (upToOffset < Volatile.Read(ref _flushedEnd))
        {
            return Task.CompletedTask;
        }
        Task task;
        bool start;
        lock (_gate)
        {
            if (upToOffset < _flushedEnd)
            {
                return Task.CompletedTask;
            }
            if (_running is { } running && upToOffset < running.Target)
            {
                return running.Completion.Task;
            }
            _queued ??= new Round();
            task = _queued.Completion.Task;
            start = !_looping;
            _looping = true;
        }
        if (start)
        {
            // fsync blocks for milliseconds; running it on the caller would serialise a produce request's partitions.
            ThreadPool.UnsafeQueueUserWorkItem(static flusher => flusher.Loop(), this, preferLocal: false);
        }
        return task;
    }

    /// <summary>Starts a flush nobody waits for (flush.messages, flush.ms, a rolled segment).</summary>
    public void Request(long upToOffset) => _ = FlushAsync(upToOffset);

    /// <summary>Truncation removed offsets from <paramref name="end"/> on; a flush in progress must not count them.</summary>
    public void Lower(long end)
    {
        lock (_gate)
        {
            _generation++;
            if (_flushedEnd > end)
            {
                Volatile.Write(ref _flushedEnd, end);
            }
        }
    }

    private void Loop()
    {
        while (true)
        {
            Round round;
            long from;
            long generation;
            lock (_gate)
            {
                if (_queued is null)
                {
                    _running = null;
                    _looping = false;
                    return;
                }
                round = _queued;
                _queued = null;
                round.Target = _captureEnd();
                from = _flushedEnd;
                generation = _generation;
                _running = round;
            }
            try
            {
                if (round.Target > from)
                {
                    _flush(from, round.Target);
                }
                lock (_gate)
                {
                    if (generation == _generation && round.Target > _flushedEnd)
                    {
                        Volatile.Write(ref _flushedEnd, round.Target);
                    }
                }
                round.Completion.TrySetResult();
            }
            catch (Exception e)
            {
                _onError(e);
                round.Completion.TrySetException(e);
                // Observed here so a flush nobody awaited does not surface as an unobserved task exception.
                _ = round.Completion.Task.Exception;
            }
        }
    }

    private sealed class Round
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long Target { get; set; } = long.MaxValue;
    }
}
