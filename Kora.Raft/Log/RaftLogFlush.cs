namespace Kora.Raft.Log;

/// <summary>
/// One fsync of the log taken off the Raft thread: prepared on the Raft thread (which files, up to which
/// offset), run on any thread, then completed on the Raft thread. Truncating or replacing the log while
/// it runs lowers what it may claim, because the bytes it syncs below that point are no longer the log's.
/// </summary>
public sealed class RaftLogFlush
{
    private readonly Action[] _fsyncs;

    internal RaftLogFlush(long endOffset, Action[] fsyncs)
    {
        EndOffset = endOffset;
        _fsyncs = fsyncs;
    }

    /// <summary>Everything below this offset is durable once <see cref="Run"/> returns, unless the log was cut meanwhile.</summary>
    public long EndOffset { get; private set; }

    /// <summary>Performs the fsyncs; safe on any thread while the Raft thread keeps appending.</summary>
    public void Run()
    {
        foreach (var fsync in _fsyncs)
        {
            fsync();
        }
    }

    internal void LimitTo(long offset) => EndOffset = Math.Min(EndOffset, offset);
}
