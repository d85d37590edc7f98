using Kora.Broker.Groups;

namespace Kora.Broker.Transactions;

/// <summary>
/// The state a transaction moves to: written to <c>__transaction_state</c> first and applied to the
/// in-memory <see cref="TransactionMetadata"/> only once the write is durable (Kafka's TxnTransitMetadata).
/// </summary>
public sealed record TxnTransit(
    long ProducerId,
    long LastProducerId,
    short ProducerEpoch,
    short LastProducerEpoch,
    int TimeoutMs,
    TransactionState State,
    IReadOnlySet<TopicPartitionKey> Partitions,
    long StartTimestampMs,
    long LastUpdateTimestampMs);
