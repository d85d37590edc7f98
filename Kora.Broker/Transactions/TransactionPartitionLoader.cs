using Kora.Broker.Coordinators;
using Kora.Broker.Partitions;

namespace Kora.Broker.Transactions;

/// <summary>
/// Kafka's TransactionCoordinator.onElection/onResignation in cluster mode: when this broker becomes leader
/// of a <c>__transaction_state</c> partition it replays that partition's transactional ids and finishes the
/// transactions it finds prepared; when it stops leading it, it forgets them. Both run on the coordinator's load
/// queue, not on the metadata thread; the partition's transactional ids answer COORDINATOR_LOAD_IN_PROGRESS meanwhile.
/// </summary>
public sealed partial class TransactionPartitionLoader(TransactionCoordinator coordinator, TransactionStateLog stateLog, ILogger<TransactionPartitionLoader> logger)
    : ILeadershipListener, IDisposable
{
    /// <summary>The transaction coordinator's own queue, apart from the group coordinator's as in Kafka.</summary>
    internal CoordinatorLoadQueue Queue { get; } = new(logger);

    public void OnBecameLeader(Partition partition)
    {
        if (partition.Topic != TransactionStateLog.TopicName)
        {
            return;
        }
        var index = partition.Index;
        stateLog.SetLoading(index, true);
        Queue.Enqueue($"load of {TransactionStateLog.TopicName}-{index}", () =>
        {
            int records;
            try
            {
                coordinator.Unload(id => stateLog.PartitionFor(id) == index);
                records = stateLog.ReplayPartition(index, coordinator.Replay);
            }
            finally
            {
                stateLog.SetLoading(index, false);
            }
            // Once loaded: completing a prepared transaction writes to the partition like any other request.
            var resumed = coordinator.ResumePreparedTransactions();
            Log.Loaded(logger, index, records, resumed);
        });
    }

    public void OnResigned(Partition partition)
    {
        if (partition.Topic != TransactionStateLog.TopicName)
        {
            return;
        }
        var index = partition.Index;
        Queue.Enqueue($"unload of {TransactionStateLog.TopicName}-{index}", () =>
            Log.Unloaded(logger, index, coordinator.Unload(id => stateLog.PartitionFor(id) == index)));
    }

    public void Dispose() => Queue.Dispose();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Became coordinator of __transaction_state-{Partition}: loaded {Records} records, resumed {Resumed} prepared transactions")]
        public static partial void Loaded(ILogger logger, int partition, int records, int resumed);

        [LoggerMessage(2, LogLevel.Information, "Resigned as coordinator of __transaction_state-{Partition}: unloaded {Transactions} transactional ids")]
        public static partial void Unloaded(ILogger logger, int partition, int transactions);
    }
}
