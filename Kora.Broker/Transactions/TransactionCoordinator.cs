using System.Collections.Concurrent;
using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>
/// Kafka's TransactionCoordinator for the transactional ids this broker owns (all of them: it leads every
/// <c>__transaction_state</c> partition). One lock guards every <see cref="TransactionMetadata"/>; it is never
/// held across I/O: a change is prepared and marked pending under the lock, written and fsynced outside it,
/// then applied under the lock again. Markers are written in the background once a commit or abort is
/// durable, and the transaction completes when every partition has its marker.
/// </summary>
public sealed partial class TransactionCoordinator(
    ITransactionLog log, ITransactionMarkerWriter markers, IProducerIdSource producerIds, TimeProvider time, TransactionSettings settings,
    ILogger<TransactionCoordinator> logger) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TransactionMetadata> _transactions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    public TransactionSettings Settings => settings;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A copy of one transactional id's state, for tests and diagnostics; null when unknown.</summary>
    public TxnTransit? Get(string transactionalId)
    {
        lock (_lock)
        {
            return _transactions.TryGetValue(transactionalId, out var metadata) ? metadata.Snapshot() : null;
        }
    }

    /// <summary>The pending state of a transactional id, if a change is in flight.</summary>
    public TransactionState? PendingState(string transactionalId)
    {
        lock (_lock)
        {
            return _transactions.GetValueOrDefault(transactionalId)?.PendingState;
        }
    }

    /// <summary>Completes once every background marker send and completion started so far has finished.</summary>
    public Task WhenBackgroundIdleAsync() => Task.WhenAll(_background.Keys);

    private void Track(Task task)
    {
        if (task.IsCompleted)
        {
            return;
        }
        _background.TryAdd(task, 0);
        task.ContinueWith(t => _background.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Kafka's answer for a transactional id this broker cannot serve yet: NOT_COORDINATOR before the state topic
    /// exists here, COORDINATOR_LOAD_IN_PROGRESS while the id's partition is being loaded; NONE otherwise.
    /// </summary>
    private ErrorCode Unavailable(string transactionalId) =>
        !log.IsReady ? ErrorCode.NotCoordinator
        : log.IsLoading(transactionalId) ? ErrorCode.CoordinatorLoadInProgress
        : ErrorCode.None;

    /// <summary>Writes a prepared transit and applies it once durable; on failure the pending state is dropped.</summary>
    private async ValueTask<ErrorCode> AppendAsync(TransactionMetadata metadata, TxnTransit transit)
    {
        ErrorCode error;
        try
        {
            // Not cancellable: once the write has started its outcome must be applied, whatever the client does.
            error = await log.AppendAsync(metadata.TransactionalId, TransactionLogCodec.Key(metadata.TransactionalId),
                TransactionLogCodec.Value(transit), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Log.AppendFailed(logger, metadata.TransactionalId, e);
            error = ErrorCode.NotCoordinator;
        }
        lock (_lock)
        {
            if (error == ErrorCode.None)
            {
                metadata.CompleteTransition(transit);
            }
            else
            {
                metadata.PendingState = null;
            }
        }
        return error;
    }

    /// <summary>Stops background marker sends; what they had not finished is redone from the log at the next start.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Writing the state of transactional id {TransactionalId} failed")]
        public static partial void AppendFailed(ILogger logger, string transactionalId, Exception exception);

        [LoggerMessage(2, LogLevel.Information, "Initialized transactional id {TransactionalId} with producer id {ProducerId} and epoch {Epoch}")]
        public static partial void Initialized(ILogger logger, string transactionalId, long producerId, short epoch);

        [LoggerMessage(3, LogLevel.Warning, "Writing the {Result} marker of transactional id {TransactionalId} to {Topic}-{Partition} failed with {Error}; retrying")]
        public static partial void MarkerFailed(ILogger logger, string result, string transactionalId, string topic, int partition, ErrorCode error);

        [LoggerMessage(4, LogLevel.Information, "Aborting transaction of {TransactionalId} (producer id {ProducerId}): open longer than its timeout of {TimeoutMs} ms")]
        public static partial void TimingOut(ILogger logger, string transactionalId, long producerId, int timeoutMs);

        [LoggerMessage(5, LogLevel.Information, "Expired transactional id {TransactionalId}")]
        public static partial void Expired(ILogger logger, string transactionalId);

        [LoggerMessage(6, LogLevel.Warning, "Skipping an unreadable record of transactional id {TransactionalId} in __transaction_state")]
        public static partial void Unreadable(ILogger logger, string? transactionalId, Exception exception);

        [LoggerMessage(7, LogLevel.Information, "Completing the {Result} of transactional id {TransactionalId} left prepared before the restart")]
        public static partial void Resuming(ILogger logger, string result, string transactionalId);

        [LoggerMessage(8, LogLevel.Warning, "Completing the transaction of {TransactionalId} failed with {Error}; retrying")]
        public static partial void CompleteFailed(ILogger logger, string transactionalId, ErrorCode error);

        [LoggerMessage(10, LogLevel.Warning, "The {Result} marker of transactional id {TransactionalId} was refused by {Topic}-{Partition} with {Error}")]
        public static partial void MarkerRejected(ILogger logger, string result, string transactionalId, string topic, int partition, ErrorCode error);

        [LoggerMessage(9, LogLevel.Warning, "Aborting the timed out transaction of {TransactionalId} failed with {Error}")]
        public static partial void TimeoutAbortFailed(ILogger logger, string transactionalId, ErrorCode error);
    }
}
