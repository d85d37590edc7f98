using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>What InitProducerId answers: an id and epoch, or an error with -1/-1.</summary>
public readonly record struct InitProducerIdResult(ErrorCode Error, long ProducerId, short ProducerEpoch)
{
    public static InitProducerIdResult Failed(ErrorCode error) => new(error, -1, -1);
}
