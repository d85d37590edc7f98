using System.Net;

namespace Kora.Network;

/// <summary>Per-connection state that outlives a single request: who the client says it is, and its tenant later.</summary>
public sealed class ClientConnection(string connectionId, EndPoint? remote)
{
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ConnectionId { get; } = connectionId;
    public EndPoint? Remote { get; } = remote;
    public string? ClientSoftwareName { get; set; }
    public string? ClientSoftwareVersion { get; set; }

    /// <summary>
    /// Completes as soon as the server stops reading this connection (the peer closed it, it broke, or the
    /// server is stopping), before responses still in flight are written: a dead peer is noticed at once.
    /// </summary>
    public Task Closed => _closed.Task;

    internal void MarkClosed() => _closed.TrySetResult();
}
