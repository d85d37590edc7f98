namespace Kora.Raft.Log;

/// <summary>A committed record batch handed to the state machine, with its raw Kafka batch bytes.</summary>
public sealed class RaftBatch
{
    public required long BaseOffset { get; init; }
    public required long LastOffset { get; init; }
    public required int Epoch { get; init; }

    /// <summary>KRaft control batches (LeaderChange) advance the offset but carry no application records.</summary>
    public required bool IsControl { get; init; }

    public required ReadOnlyMemory<byte> Bytes { get; init; }

    public long EndOffset => LastOffset + 1;

    public List<ReadOnlyMemory<byte>> Values() => IsControl ? [] : RaftBatches.ReadValues(Bytes);
}
