namespace Kora.Bench.Results;

/// <summary>The same producer load with and without transactions.</summary>
internal sealed record TransactionResult(
    int MessageSize,
    int Partitions,
    int MessagesPerTransaction,
    ThroughputResult? Idempotent,
    ThroughputResult? Transactional,
    int Transactions);
