using System.Net;

namespace Kora.Network;

/// <summary>Per-connection state that outlives a single request: who the client says it is, and its tenant later.</summary>
public sealed class ClientConnection(string connectionId, EndPoint? remote)
{
    public string ConnectionId { get; } = connectionId;
    public EndPoint? Remote { get; } = remote;
    public string? ClientSoftwareName { get; set; }
    public string? ClientSoftwareVersion { get; set; }
}
