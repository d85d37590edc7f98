using Kora.Broker.Transactions;

namespace Kora.Broker.Tests.Transactions;

internal sealed class SequentialProducerIds(long first = 1000) : IProducerIdSource
{
    private long _next = first;

    public ValueTask<long> NextAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Interlocked.Increment(ref _next) - 1);
}
