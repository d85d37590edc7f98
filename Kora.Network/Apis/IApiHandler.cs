using Kora.Network;

namespace Kora.Network.Apis;

/// <summary>One Kafka API: its key, the versions Kora serves, and the request-to-response logic.</summary>
public interface IApiHandler
{
    short ApiKey { get; }
    short MinVersion { get; }
    short MaxVersion { get; }
    bool IsFlexible(short version);

    /// <summary>Parses the body synchronously (the frame may be reused after), then serves it.</summary>
    ValueTask<ResponseEnvelope> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body);

    /// <summary>A response carrying <paramref name="error"/> for a request that could not be served at all.</summary>
    ResponseEnvelope ErrorResponse(RequestContext context, Protocol.Primitives.ErrorCode error);
}
