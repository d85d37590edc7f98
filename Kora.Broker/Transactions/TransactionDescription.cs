using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>One transactional id as DescribeTransactions reports it.</summary>
public sealed record TransactionDescription(
    ErrorCode Error,
    string TransactionalId,
    TransactionState State,
    int TimeoutMs,
    long StartTimestampMs,
    long ProducerId,
    short ProducerEpoch,
    IReadOnlyList<TopicPartitionKey> Partitions)
{
    public static TransactionDescription Failed(ErrorCode error, string transactionalId) =>
        new(error, transactionalId, TransactionState.Empty, 0, -1, -1, -1, []);
}
