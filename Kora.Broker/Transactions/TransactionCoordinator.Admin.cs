using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>DescribeTransactions and ListTransactions.</summary>
public sealed partial class TransactionCoordinator
{
    public TransactionDescription Describe(string transactionalId)
    {
        if (transactionalId.Length == 0)
        {
            return TransactionDescription.Failed(ErrorCode.InvalidRequest, transactionalId);
        }
        if (Unavailable(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return TransactionDescription.Failed(unavailable, transactionalId);
        }
        lock (_lock)
        {
            // A Dead id is being expired: it is as good as gone.
            if (!_transactions.TryGetValue(transactionalId, out var m) || m.State == TransactionState.Dead)
            {
                return TransactionDescription.Failed(ErrorCode.TransactionalIdNotFound, transactionalId);
            }
            var partitions = m.Partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
            return new TransactionDescription(ErrorCode.None, transactionalId, m.State, m.TimeoutMs, m.StartTimestampMs, m.ProducerId, m.ProducerEpoch, partitions);
        }
    }

    /// <summary>
    /// Transactions matching every filter given: states by name (unknown names are returned apart), producer ids,
    /// and a minimum running time (v1; -1 for none), measured from the transaction's start as Kafka does.
    /// </summary>
    public (List<string> UnknownStates, List<TransactionListing> Transactions) List(IReadOnlyCollection<string> stateFilters,
        IReadOnlyCollection<long> producerIdFilters, long durationFilterMs)
    {
        var unknown = new List<string>();
        var states = new HashSet<TransactionState>();
        foreach (var name in stateFilters)
        {
            if (TransactionStates.TryParse(name, out var state))
            {
                states.Add(state);
            }
            else
            {
                unknown.Add(name);
            }
        }
        var producerIds = producerIdFilters.ToHashSet();
        var now = Now;
        var listed = new List<TransactionListing>();
        lock (_lock)
        {
            foreach (var m in _transactions.Values)
            {
                if (m.State == TransactionState.Dead
                    || (producerIds.Count > 0 && !producerIds.Contains(m.ProducerId))
                    || (states.Count > 0 && !states.Contains(m.State))
                    || (durationFilterMs >= 0 && now - m.StartTimestampMs <= durationFilterMs))
                {
                    continue;
                }
                listed.Add(new TransactionListing(m.TransactionalId, m.ProducerId, m.State));
            }
        }
        listed.Sort((a, b) => string.CompareOrdinal(a.TransactionalId, b.TransactionalId));
        return (unknown, listed);
    }
}
