using Kora.Protocol.Primitives;

namespace Kora.Metadata;

/// <summary>The outcome of a topic change, with what the response reports about the topic.</summary>
public sealed record TopicChangeResult(ErrorCode Error, string? Message, Guid TopicId, int NumPartitions, short ReplicationFactor)
{
    public string? Name { get; init; }

    public static TopicChangeResult Failed(ErrorCode error, string? message) => new(error, message, Guid.Empty, -1, -1);
}
