using Kora.Raft.Log;

namespace Kora.Raft.Tests.Core;

/// <summary>A flush scheduler that holds each fsync until the test runs it, as a slow disk would.</summary>
internal sealed class DeferredFlusher : IRaftFlushScheduler
{
    public List<RaftLogFlush> Pending { get; } = [];

    public void Schedule(RaftLogFlush flush) => Pending.Add(flush);

    public void CompleteAll(CoreHarness harness)
    {
        var flushes = Pending.ToList();
        Pending.Clear();
        foreach (var flush in flushes)
        {
            flush.Run();
            harness.Core.OnFlushCompleted(flush, harness.Now);
        }
    }
}
