using Kora.Raft;

namespace Kora.Controller.Quorum;

/// <summary>The metadata log as the state machine writes to it: the Raft core on the real loop, a recorder in tests.</summary>
public interface IControllerLog
{
    /// <summary>Appends records as one batch if this replica leads; the base offset, or null when it does not.</summary>
    long? TryAppend(IReadOnlyList<ReadOnlyMemory<byte>> records, long now);

    /// <summary>Stores a snapshot of the applied image up to <paramref name="id"/>.</summary>
    void CreateSnapshot(OffsetAndEpoch id, ReadOnlySpan<byte> content);
}
