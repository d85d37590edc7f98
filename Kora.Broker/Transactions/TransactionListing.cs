namespace Kora.Broker.Transactions;

/// <summary>One row of ListTransactions.</summary>
public sealed record TransactionListing(string TransactionalId, long ProducerId, TransactionState State);
