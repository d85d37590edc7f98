using Kora.Storage.Log;

namespace Kora.Storage.Tests.Compaction;

/// <summary>Crashes at each step of a cleaner swap, simulated by leaving the files a crash leaves.</summary>
public sealed class SwapRecoveryTests : CompactionTestBase
{
    /// <summary>Three closed segments of two batches each, then an active one. Returns the stored batches per segment.</summary>
    private List<List<byte[]>> Build()
    {
        var log = Open(Compacted with { SegmentBytes = 200 });
        for (var i = 0; i < 6; i++)
        {
            AppendAll(log, [KeyedBatch.Create([($"k{i % 2}", $"v{i}")])]);
        }
        AppendAll(log, [KeyedBatch.Create([("tail", new string('t', 300))])]);
        var segments = log.ClosedSegments.Select(s => s.BaseOffset).ToList();
        Assert.Equal(3, segments.Count);
        var batches = Batches(log);
        log.Close();
        return [batches[0..2], batches[2..4], batches[4..6], batches[6..]];
    }

    [Fact]
    public void CrashWhileWritingCleanedFiles_KeepsTheOriginalSegments()
    {
        var segments = Build();
        File.WriteAllBytes(SegmentFile(0, ".log.cleaned"), segments[0][1]);
        File.WriteAllBytes(SegmentFile(0, ".index.cleaned"), []);

        var log = Open(Compacted);

        Assert.Equal(segments.SelectMany(s => s).SelectMany(b => b).ToArray(), ReadAll(log));
        Assert.False(File.Exists(SegmentFile(0, ".log.cleaned")));
        Assert.False(File.Exists(SegmentFile(0, ".index.cleaned")));
    }

    [Fact]
    public void CrashAfterRenameToSwap_CompletesTheSwap()
    {
        var segments = Build();
        // The cleaned segment replaces the first two segments (offsets 0-3) with their last two batches.
        File.WriteAllBytes(SegmentFile(0, ".log.swap"), [.. segments[1][0], .. segments[1][1]]);
        File.WriteAllBytes(SegmentFile(0, ".index.cleaned"), []);
        File.WriteAllBytes(SegmentFile(0, ".timeindex.cleaned"), []);

        var log = Open(Compacted);

        Assert.Equal(segments[1].Concat(segments[2]).Concat(segments[3]).SelectMany(b => b).ToArray(), ReadAll(log));
        Assert.Equal(0, log.LogStartOffset);
        Assert.Equal(7, log.LogEndOffset);
        Assert.False(File.Exists(SegmentFile(2, ".log")));
        Assert.Empty(Directory.EnumerateFiles(Dir, "*.swap"));
        Assert.Empty(Directory.EnumerateFiles(Dir, "*.cleaned"));
        Assert.True(File.Exists(SegmentFile(0, ".index")));
        Assert.Equal([0L, 4L], log.ClosedSegments.Select(s => s.BaseOffset));
    }

    [Fact]
    public void CrashAfterOldSegmentsWereUnlinked_CompletesTheSwap()
    {
        var segments = Build();
        File.WriteAllBytes(SegmentFile(0, ".log.swap"), [.. segments[1][1]]);
        File.Delete(SegmentFile(0, ".log"));
        File.Delete(SegmentFile(0, ".index"));
        File.Delete(SegmentFile(2, ".log"));

        var log = Open(Compacted);

        Assert.Equal(new[] { segments[1][1] }.Concat(segments[2]).Concat(segments[3]).SelectMany(b => b).ToArray(), ReadAll(log));
        Assert.Equal([0L, 4L], log.ClosedSegments.Select(s => s.BaseOffset));
        Assert.False(File.Exists(SegmentFile(2, ".index")));
    }
}
