using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>Where the coordinator persists transaction state: <c>__transaction_state</c>, or a fake in tests.</summary>
public interface ITransactionLog
{
    /// <summary>False until the topic exists on this broker; requests then get NOT_COORDINATOR.</summary>
    bool IsReady { get; }

    /// <summary>True while the partition holding the transactional id is being loaded; requests then get COORDINATOR_LOAD_IN_PROGRESS.</summary>
    bool IsLoading(string transactionalId);

    /// <summary>The partition leader epoch of the transactional id's partition, sent along with markers.</summary>
    int CoordinatorEpoch(string transactionalId);

    /// <summary>Appends one record (a null value is a tombstone) and returns once it is fsynced, or the error that kept it out.</summary>
    ValueTask<ErrorCode> AppendAsync(string transactionalId, byte[] key, byte[]? value, CancellationToken cancellationToken);
}
