namespace Kora.Broker.Transactions;

/// <summary>The transaction coordinator's broker settings, with Kafka's names and defaults.</summary>
public sealed record TransactionSettings
{
    /// <summary>transaction.max.timeout.ms: the longest transaction timeout a producer may ask for.</summary>
    public int MaxTimeoutMs { get; init; } = 900_000;

    /// <summary>transactional.id.expiration.ms: an idle transactional id is forgotten after this long.</summary>
    public long TransactionalIdExpirationMs { get; init; } = 7L * 24 * 3600 * 1000;

    /// <summary>How long to wait before retrying a transaction marker or a state write that failed.</summary>
    public int RetryBackoffMs { get; init; } = 100;

    /// <summary>
    /// How long EndTxn waits for the markers before answering. Kafka answers once the decision is durable and
    /// writes markers after; here a marker is fsynced, which widens the window in which the producer's next
    /// AddPartitionsToTxn meets CONCURRENT_TRANSACTIONS, and librdkafka may then send its abort while that is
    /// retried, which transaction version 1 refuses with INVALID_TXN_STATE. Waiting closes the window; past this
    /// bound the answer goes out anyway, as in Kafka.
    /// </summary>
    public int EndTxnCompletionWaitMs { get; init; } = 10_000;

    public static TransactionSettings From(BrokerOptions options) => new()
    {
        MaxTimeoutMs = options.TransactionMaxTimeoutMs,
        TransactionalIdExpirationMs = options.TransactionalIdExpirationMs,
    };
}
