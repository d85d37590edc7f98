using Kora.Controller.Quorum;
using Kora.Raft;
using Kora.Raft.Core;

namespace Kora.Controller.Raft;

/// <summary>The Raft core as the controller's metadata log; only ever called on the Raft loop thread.</summary>
internal sealed class RaftCoreLog : IControllerLog
{
    public RaftCore? Core { get; set; }

    public long? TryAppend(IReadOnlyList<ReadOnlyMemory<byte>> records, long now) => Core!.TryAppend(records, now);

    public void CreateSnapshot(OffsetAndEpoch id, ReadOnlySpan<byte> content) => Core!.CreateSnapshot(id, content);
}
