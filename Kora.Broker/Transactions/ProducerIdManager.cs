using Kora.Broker.Cluster;
using Kora.Broker.Metadata;
using Kora.Metadata;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Transactions;

/// <summary>
/// Hands out producer ids from blocks reserved in the metadata log (Kafka's ProducerIdsRecord), so an id is
/// never given twice, not even across restarts: a restart abandons the rest of its block rather than reuse it.
/// In cluster mode the controller hands out the blocks (AllocateProducerIds).
/// </summary>
public sealed class ProducerIdManager(MetadataStore metadata, IOptions<BrokerOptions> options, ForwardingAdmin? forward = null) : IProducerIdSource
{
    /// <summary>Kafka's block size: one metadata write per thousand producers.</summary>
    public const int BlockSize = 1000;

    private readonly SemaphoreSlim _refill = new(1, 1);
    private readonly int _brokerId = options.Value.NodeId;
    private long _next;
    private long _end;

    public async ValueTask<long> NextAsync(CancellationToken cancellationToken)
    {
        await _refill.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_next >= _end && forward is not null)
            {
                var (first, length) = await forward.AllocateProducerIdsAsync(cancellationToken).ConfigureAwait(false);
                _next = first;
                _end = first + length;
            }
            else if (_next >= _end)
            {
                var start = await metadata.WriteAsync(image =>
                {
                    var first = image.NextProducerId;
                    if (first > long.MaxValue - BlockSize)
                    {
                        throw new KafkaProtocolException("Producer ids are exhausted.");
                    }
                    return new MetadataDecision<long>(
                        [new ProducerIdsRecord { BrokerId = _brokerId, BrokerEpoch = -1, NextProducerId = first + BlockSize }], first);
                }, cancellationToken).ConfigureAwait(false);
                _next = start;
                _end = start + BlockSize;
            }
            return _next++;
        }
        finally
        {
            _refill.Release();
        }
    }
}
