using Kora.Protocol.Primitives;

namespace Kora.Broker.Replication;

/// <summary>An acks=all produce waiting for the high watermark to pass its last offset (Kafka's DelayedProduce).</summary>
public sealed class ReplicationWaiter(long requiredOffset)
    : TaskCompletionSource<ErrorCode>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    /// <summary>The high watermark that covers the produce: its last offset plus one.</summary>
    public long RequiredOffset { get; } = requiredOffset;
}
