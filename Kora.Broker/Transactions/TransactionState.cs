namespace Kora.Broker.Transactions;

/// <summary>Kafka's transaction states; the values are the status bytes stored in <c>__transaction_state</c>.</summary>
public enum TransactionState : byte
{
    Empty = 0,
    Ongoing = 1,
    PrepareCommit = 2,
    PrepareAbort = 3,
    CompleteCommit = 4,
    CompleteAbort = 5,
    Dead = 6,
    PrepareEpochFence = 7,
}
