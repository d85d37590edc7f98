using Kora.Raft.Log;
using Kora.Raft.Storage;
using Kora.Raft.Tests.Core;
using Kora.Raft.Tests.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Raft.Tests.Log;

public sealed class FileRaftLogTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kora-raft-" + Guid.NewGuid().ToString("N"), "__cluster_metadata-0");

    public void Dispose()
    {
        var root = Path.GetDirectoryName(_directory)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static FileRaftLog Open(IRaftFileSystem fs, string directory, long segmentBytes = 1 << 20) =>
        FileRaftLog.Open(fs, directory, NullLogger.Instance, segmentBytes);

    [Fact]
    public void TornTailOnRealDiskIsCutOffAndReported()
    {
        using (var fs = new PhysicalFileSystem())
        {
            var log = Open(fs, _directory);
            log.Append(CoreHarness.Data(0, 1, "a", "b"));
            log.Append(CoreHarness.Data(2, 2, "c"));
            log.Flush();
        }
        var segment = Path.Combine(_directory, "00000000000000000000.log");
        var length = new FileInfo(segment).Length;
        using (var stream = new FileStream(segment, FileMode.Open))
        {
            stream.SetLength(length - 5);
        }
        using (var fs = new PhysicalFileSystem())
        {
            var log = Open(fs, _directory);
            Assert.Equal((2L, 1), (log.EndOffset, log.LastFetchedEpoch));
            Assert.Contains("torn or corrupt", log.RecoveryReport);
            log.Append(CoreHarness.Data(2, 3, "d"));
            log.Flush();
        }
        using (var fs = new PhysicalFileSystem())
        {
            var log = Open(fs, _directory);
            Assert.Null(log.RecoveryReport);
            Assert.Equal((3L, 3), (log.EndOffset, log.LastFetchedEpoch));
        }
    }

    [Fact]
    public void CorruptLeaderEpochOutsideKafkasBatchCrcIsDetected()
    {
        var fs = new SimulatedFileSystem();
        var log = Open(fs, "/d");
        log.Append(CoreHarness.Data(0, 1, "a"));
        log.Append(CoreHarness.Data(1, 1, "b"));
        log.Flush();
        var path = "/d/00000000000000000000.log";
        var bytes = new byte[fs.Length(path)];
        fs.Read(path, 0, bytes);
        var second = 4 + (int)(bytes.Length / 2);
        // The partition leader epoch of the second batch: bytes 12..15 of the batch, after the 4-byte frame CRC.
        bytes[second + 12] = 0x7F;
        fs.Delete(path);
        fs.Append(path, bytes);
        fs.Flush(path);
        var reopened = Open(fs, "/d");
        Assert.Equal((1L, 1), (reopened.EndOffset, reopened.LastFetchedEpoch));
        Assert.NotNull(reopened.RecoveryReport);
    }

    [Fact]
    public void UnflushedDataIsLostOnCrashButFlushedDataSurvives()
    {
        var fs = new SimulatedFileSystem();
        var log = Open(fs, "/d");
        log.Append(CoreHarness.Data(0, 1, "a"));
        log.Flush();
        log.Append(CoreHarness.Data(1, 1, "b", "c", "d"));
        fs.Crash(new Random(3), allowTornWrites: true);
        var reopened = Open(fs, "/d");
        Assert.InRange(reopened.EndOffset, 1, 4);
        Assert.Equal(reopened.EndOffset, reopened.FlushedOffset);
        Assert.True(reopened.EndOffset is 1 or 4);
    }

    [Fact]
    public void LogThatLostItsBeginningIsNotTrusted()
    {
        var fs = new SimulatedFileSystem();
        var log = Open(fs, "/d", segmentBytes: 100);
        for (var i = 0; i < 6; i++)
        {
            log.Append(CoreHarness.Data(i, 1, $"v{i}"));
        }
        log.Flush();
        var first = fs.ListFiles("/d").First(f => f.EndsWith(".log", StringComparison.Ordinal));
        fs.Truncate("/d/" + first, 0);
        var reopened = Open(fs, "/d", segmentBytes: 100);
        Assert.Equal((0L, 0L), (reopened.StartOffset, reopened.EndOffset));
        Assert.NotNull(reopened.RecoveryReport);
        reopened.Append(CoreHarness.Data(0, 2, "again"));
        reopened.Flush();
        Assert.Equal(1, Open(fs, "/d", segmentBytes: 100).EndOffset);
    }

    [Fact]
    public void SegmentsRollAndTruncationDropsLaterSegments()
    {
        var fs = new SimulatedFileSystem();
        var log = Open(fs, "/d", segmentBytes: 100);
        for (var i = 0; i < 6; i++)
        {
            log.Append(CoreHarness.Data(i, 1 + i / 2, $"v{i}"));
        }
        Assert.True(fs.ListFiles("/d").Count(f => f.EndsWith(".log", StringComparison.Ordinal)) > 1);
        log.TruncateTo(3);
        Assert.Equal((3L, 2), (log.EndOffset, log.LastFetchedEpoch));
        Assert.Equal(new OffsetAndEpoch(2, 1), log.EndOffsetForEpoch(1));
        Assert.Equal(new OffsetAndEpoch(3, 2), log.EndOffsetForEpoch(2));
        Assert.Equal(new OffsetAndEpoch(3, 2), log.EndOffsetForEpoch(7));
        log.Flush();
        var reopened = Open(fs, "/d", segmentBytes: 100);
        Assert.Equal(3, reopened.EndOffset);
        Assert.Equal(reopened.Read(0, int.MaxValue).ToArray(), log.Read(0, int.MaxValue).ToArray());
    }

    [Fact]
    public void SnapshotMovesTheLogStartAndSurvivesReopen()
    {
        var fs = new SimulatedFileSystem();
        var log = Open(fs, "/d", segmentBytes: 100);
        for (var i = 0; i < 6; i++)
        {
            log.Append(CoreHarness.Data(i, 1 + i / 3, $"v{i}"));
        }
        log.Flush();
        log.CreateSnapshot(new OffsetAndEpoch(4, 2), "state"u8);
        Assert.Equal(4, log.StartOffset);
        Assert.Throws<ArgumentException>(() => log.CreateSnapshot(new OffsetAndEpoch(5, 1), "x"u8));
        var reopened = Open(fs, "/d", segmentBytes: 100);
        Assert.Equal((4L, 6L), (reopened.StartOffset, reopened.EndOffset));
        Assert.Equal(new OffsetAndEpoch(4, 2), reopened.LatestSnapshotId);
        Assert.Equal("state"u8.ToArray(), reopened.ReadSnapshot(new OffsetAndEpoch(4, 2), 0, 100).ToArray());
        Assert.Equal(new OffsetAndEpoch(4, 2), reopened.EndOffsetForEpoch(1));
    }

    [Fact]
    public void InstalledSnapshotReplacesTheWholeLog()
    {
        var fs = new SimulatedFileSystem();
        var log = Open(fs, "/d");
        log.Append(CoreHarness.Data(0, 1, "stale"));
        log.InstallSnapshot(new OffsetAndEpoch(10, 3), "leader state"u8);
        Assert.Equal((10L, 10L, 3), (log.StartOffset, log.EndOffset, log.LastFetchedEpoch));
        log.Append(CoreHarness.Data(10, 4, "next"));
        log.Flush();
        var reopened = Open(fs, "/d");
        Assert.Equal((10L, 11L, 4), (reopened.StartOffset, reopened.EndOffset, reopened.LastFetchedEpoch));
    }

    [Fact]
    public void AppendRejectsBatchesThatDoNotContinueTheLog()
    {
        var log = Open(new SimulatedFileSystem(), "/d");
        log.Append(CoreHarness.Data(0, 2, "a"));
        Assert.Throws<ArgumentException>(() => log.Append(CoreHarness.Data(5, 2, "gap")));
        Assert.Throws<ArgumentException>(() => log.Append(CoreHarness.Data(1, 1, "older epoch")));
    }
}
