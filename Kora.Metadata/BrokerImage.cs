namespace Kora.Metadata;

/// <summary>A registered broker and where clients reach it.</summary>
public sealed record BrokerImage(int Id, string Host, int Port, string? Rack, bool Fenced, long Epoch)
{
    /// <summary>Identifies one run of the broker process: a new incarnation is a restart.</summary>
    public Guid IncarnationId { get; init; }

    /// <summary>Every listener the broker registered; <see cref="Host"/> and <see cref="Port"/> are the first one's.</summary>
    public IReadOnlyList<BrokerEndpoint> Endpoints { get; init; } = [];

    /// <summary>The broker asked to shut down; it leads nothing and gets no new replicas until it registers again.</summary>
    public bool InControlledShutdown { get; init; }
}
