using Kora.Raft.Log;

namespace Kora.Raft;

/// <summary>
/// Runs log fsyncs off the Raft thread so the replica keeps answering while the disk syncs. The host
/// runs <see cref="RaftLogFlush.Run"/> elsewhere and hands the flush back with
/// <see cref="Core.RaftCore.OnFlushCompleted"/> on the Raft thread. Without one, the core fsyncs inline.
/// </summary>
public interface IRaftFlushScheduler
{
    void Schedule(RaftLogFlush flush);
}
