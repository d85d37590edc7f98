using Kora.Protocol.Primitives;

namespace Kora.Network;

/// <summary>What a handler knows about the request it serves beyond the message itself.</summary>
public sealed class RequestContext(RequestHeader header, ClientConnection connection, CancellationToken aborted, CancellationToken stopping = default)
{
    public RequestHeader Header { get; } = header;
    public short Version => Header.ApiVersion;
    public ClientConnection Connection { get; } = connection;
    public CancellationToken Aborted { get; } = aborted;

    /// <summary>Signalled when the server begins to shut down: waiting requests answer with what they have.</summary>
    public CancellationToken Stopping { get; } = stopping;
}
