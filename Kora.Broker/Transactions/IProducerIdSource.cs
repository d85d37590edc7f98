namespace Kora.Broker.Transactions;

/// <summary>Hands out producer ids that are never given twice.</summary>
public interface IProducerIdSource
{
    ValueTask<long> NextAsync(CancellationToken cancellationToken);
}
