namespace Kora.Raft.Network;

/// <summary>Connection settings of the Raft transport, with Kafka's client defaults.</summary>
public sealed record RaftTransportSettings
{
    /// <summary>Kafka's <c>reconnect.backoff.ms</c>.</summary>
    public int ReconnectBackoffMs { get; init; } = 50;

    /// <summary>Kafka's <c>reconnect.backoff.max.ms</c>.</summary>
    public int ReconnectBackoffMaxMs { get; init; } = 1000;

    /// <summary>Kafka's <c>socket.connection.setup.timeout.ms</c>.</summary>
    public int ConnectTimeoutMs { get; init; } = 10_000;

    /// <summary>Requests queued on a connection before more are refused (the core retries them).</summary>
    public int MaxQueuedRequests { get; init; } = 1024;
}
