using System.Buffers;

namespace Kora.Raft.States;

/// <summary>A snapshot a follower fetches from the leader in FetchSnapshot chunks.</summary>
internal sealed class SnapshotDownload(OffsetAndEpoch id)
{
    public OffsetAndEpoch Id { get; } = id;
    public ArrayBufferWriter<byte> Content { get; } = new();
    public long Position => Content.WrittenCount;
}
