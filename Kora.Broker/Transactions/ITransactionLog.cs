using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>Where the coordinator persists transaction state: <c>__transaction_state</c>, or a fake in tests.</summary>
public interface ITransactionLog
{
    /// <summary>False until the topic exists on this broker; requests then get NOT_COORDINATOR.</summary>
    bool IsReady { get; }

    /// <summary>The partition leader epoch of the transactional id's partition, sent along with markers.</summary>
    int CoordinatorEpoch(string transactionalId);

    /// <summary>Appends one record (a null value is a tombstone) and returns once it is fsynced, or the error that kept it out.</summary>
    ValueTask<ErrorCode> AppendAsync(string transactionalId, byte[] key, byte[]? value, CancellationToken cancellationToken);
}
