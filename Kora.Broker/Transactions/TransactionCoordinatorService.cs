using Kora.Broker.Partitions;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Transactions;

/// <summary>
/// Rebuilds the coordinator from <c>__transaction_state</c> at start and finishes interrupted commits and aborts;
/// then aborts timed-out transactions and expires idle transactional ids on Kafka's intervals.
/// </summary>
public sealed partial class TransactionCoordinatorService(
    TransactionCoordinator coordinator, TransactionStateLog stateLog, TimeProvider time, IOptions<BrokerOptions> options,
    PartitionManager partitions, TransactionPartitionLoader loader, ILogger<TransactionCoordinatorService> logger) : IHostedService, IDisposable
{
    private ITimer? _abort;
    private ITimer? _expire;
    private int _aborting;
    private int _expiring;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.IsClusterMode)
        {
            // Later leadership changes load and unload partitions; start from the hosted ones (only this broker writes them).
            partitions.Subscribe(loader);
        }
        var records = stateLog.Replay(coordinator.Replay);
        var resumed = coordinator.ResumePreparedTransactions();
        Log.Loaded(logger, records, coordinator.Count, resumed);
        var abortEvery = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.TransactionAbortTimedOutTransactionCleanupIntervalMs));
        _abort = time.CreateTimer(_ => Run(ref _aborting, coordinator.AbortTimedOutTransactionsAsync, () => Volatile.Write(ref _aborting, 0)),
            null, abortEvery, abortEvery);
        var expireEvery = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.TransactionRemoveExpiredTransactionCleanupIntervalMs));
        _expire = time.CreateTimer(_ => Run(ref _expiring, coordinator.ExpireTransactionalIdsAsync, () => Volatile.Write(ref _expiring, 0)),
            null, expireEvery, expireEvery);
        return Task.CompletedTask;
    }

    /// <summary>One pass at a time: a pass still writing when the timer fires again is not overlapped.</summary>
    private void Run(ref int running, Func<Task<int>> pass, Action done)
    {
        if (Interlocked.Exchange(ref running, 1) == 0)
        {
            _ = RunAsync(pass, done);
        }
    }

    private async Task RunAsync(Func<Task<int>> pass, Action done)
    {
        try
        {
            await pass().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.PassFailed(logger, e);
        }
        finally
        {
            done();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _abort?.Dispose();
        _expire?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Loaded {Records} records from __transaction_state: {Transactions} transactional ids, {Resumed} prepared transactions resumed")]
        public static partial void Loaded(ILogger logger, int records, int transactions, int resumed);

        [LoggerMessage(2, LogLevel.Error, "A transaction coordinator maintenance pass failed")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
