using Kora.Broker.Partitions;

namespace Kora.Broker.Transactions;

/// <summary>
/// Kafka's TransactionCoordinator.onElection/onResignation in cluster mode: when this broker becomes leader
/// of a <c>__transaction_state</c> partition it replays that partition's transactional ids and finishes the
/// transactions it finds prepared; when it stops leading it, it forgets them.
/// </summary>
public sealed partial class TransactionPartitionLoader(TransactionCoordinator coordinator, TransactionStateLog stateLog, ILogger<TransactionPartitionLoader> logger)
    : ILeadershipListener
{
    public void OnBecameLeader(Partition partition)
    {
        if (partition.Topic != TransactionStateLog.TopicName)
        {
            return;
        }
        var index = partition.Index;
        coordinator.Unload(id => stateLog.PartitionFor(id) == index);
        var records = stateLog.ReplayPartition(index, coordinator.Replay);
        var resumed = coordinator.ResumePreparedTransactions();
        Log.Loaded(logger, index, records, resumed);
    }

    public void OnResigned(Partition partition)
    {
        if (partition.Topic != TransactionStateLog.TopicName)
        {
            return;
        }
        var index = partition.Index;
        Log.Unloaded(logger, index, coordinator.Unload(id => stateLog.PartitionFor(id) == index));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Became coordinator of __transaction_state-{Partition}: loaded {Records} records, resumed {Resumed} prepared transactions")]
        public static partial void Loaded(ILogger logger, int partition, int records, int resumed);

        [LoggerMessage(2, LogLevel.Information, "Resigned as coordinator of __transaction_state-{Partition}: unloaded {Transactions} transactional ids")]
        public static partial void Unloaded(ILogger logger, int partition, int transactions);
    }
}
