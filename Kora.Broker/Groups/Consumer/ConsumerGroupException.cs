using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups.Consumer;

/// <summary>A request the consumer group protocol refuses: the Kafka error code and message for the response.</summary>
public sealed class ConsumerGroupException(ErrorCode error, string message) : Exception(message)
{
    public ErrorCode Error { get; } = error;
}
