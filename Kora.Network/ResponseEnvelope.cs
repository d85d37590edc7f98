using Kora.Protocol.Primitives;

namespace Kora.Network;

/// <summary>A response body and how to frame it; a null body means no response is sent (acks=0).</summary>
public readonly record struct ResponseEnvelope(IKafkaMessage? Body, short Version, bool FlexibleHeader)
{
    public static ResponseEnvelope None => new(null, 0, false);
}
