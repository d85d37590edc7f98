using Kora.Protocol.Primitives;

namespace Kora.Broker.Network;

/// <summary>What a handler knows about the request it serves beyond the message itself.</summary>
public sealed class RequestContext(RequestHeader header, ClientConnection connection, CancellationToken aborted)
{
    public RequestHeader Header { get; } = header;
    public short Version => Header.ApiVersion;
    public ClientConnection Connection { get; } = connection;
    public CancellationToken Aborted { get; } = aborted;
}
