namespace Kora.Raft.Log;

/// <summary>Where one validated record batch lives: its offsets, leader epoch and place in a segment file.</summary>
public readonly record struct BatchInfo(long BaseOffset, long LastOffset, int Epoch, bool IsControl, long SegmentBaseOffset, long Position, int Size)
{
    public long EndOffset => LastOffset + 1;
}
