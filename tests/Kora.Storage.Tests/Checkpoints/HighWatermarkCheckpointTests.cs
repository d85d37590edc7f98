using Kora.Storage.Checkpoints;
using Kora.Storage.Log;
using Kora.Storage.Tests.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Storage.Tests.Checkpoints;

/// <summary>The replication-offset-checkpoint file and a replicated partition reopening with its checkpointed high watermark.</summary>
public sealed class HighWatermarkCheckpointTests : LogTestBase
{
    [Fact]
    public void RoundTripsInKafkasFormat()
    {
        HighWatermarkCheckpoint.Write(Root, [("orders", 0, 42), ("orders", 3, 0), ("__consumer_offsets", 49, 1_000_000_000_000)]);

        Assert.Equal("0\n3\norders 0 42\norders 3 0\n__consumer_offsets 49 1000000000000\n", File.ReadAllText(Path.Combine(Root, HighWatermarkCheckpoint.FileName)));
        var read = HighWatermarkCheckpoint.Read(Root, out var corrupt);
        Assert.False(corrupt);
        Assert.Equal(3, read.Count);
        Assert.Equal(42, read[("orders", 0)]);
        Assert.Equal(0, read[("orders", 3)]);
        Assert.Equal(1_000_000_000_000, read[("__consumer_offsets", 49)]);
        Assert.False(File.Exists(Path.Combine(Root, HighWatermarkCheckpoint.FileName + ".tmp")));
    }

    [Fact]
    public void RewriteReplacesTheWholeFile()
    {
        HighWatermarkCheckpoint.Write(Root, [("a", 0, 5), ("b", 1, 6)]);
        HighWatermarkCheckpoint.Write(Root, [("a", 0, 9)]);

        var read = HighWatermarkCheckpoint.Read(Root, out _);
        Assert.Equal(9, Assert.Single(read).Value);
    }

    [Fact]
    public void MissingFileIsEmpty()
    {
        Assert.Empty(HighWatermarkCheckpoint.Read(Root, out var corrupt));
        Assert.False(corrupt);
    }

    [Theory]
    [InlineData("1\n1\na 0 5\n")]
    [InlineData("0\n2\na 0 5\n")]
    [InlineData("0\n1\na 0\n")]
    [InlineData("0\n1\na x 5\n")]
    [InlineData("0\n1\na 0 -5\n")]
    [InlineData("garbage")]
    public void CorruptFileIsReportedAndIgnored(string content)
    {
        File.WriteAllText(Path.Combine(Root, HighWatermarkCheckpoint.FileName), content);
        Assert.Empty(HighWatermarkCheckpoint.Read(Root, out var corrupt));
        Assert.True(corrupt);
    }

    [Fact]
    public void ReplicatedLogReopensWithTheCheckpointedHighWatermark()
    {
        var log = Open();
        for (var i = 0; i < 10; i++)
        {
            Append(log, TestBatch.Create());
        }
        Assert.Equal(10, log.LogEndOffset);
        // Only 6 records reached the other replicas before the broker stopped.
        HighWatermarkCheckpoint.Write(Root, [("topic", 0, 6)]);
        log.Close();

        var checkpointed = HighWatermarkCheckpoint.Read(Root, out _)[("topic", 0)];
        var reopened = PartitionLog.Open(Dir, LogConfig.Default, Time, NullLogger.Instance, checkpointed);
        try
        {
            Assert.Equal(10, reopened.LogEndOffset);
            Assert.Equal(6, reopened.HighWatermark);
            // A consumer read stops at the high watermark: the unreplicated tail is not exposed.
            var read = reopened.Read(0, int.MaxValue, reopened.HighWatermark, minOneMessage: true);
            Assert.Equal(6, TestBatch.Headers(Bytes(read.Records)).Count);
        }
        finally
        {
            reopened.Close();
        }
    }

    [Fact]
    public void CheckpointIsKeptWithinTheLog()
    {
        var log = Open();
        for (var i = 0; i < 4; i++)
        {
            Append(log, TestBatch.Create());
        }
        log.Close();

        var beyond = PartitionLog.Open(Dir, LogConfig.Default, Time, NullLogger.Instance, highWatermark: 100);
        Assert.Equal(4, beyond.HighWatermark);
        beyond.Close();
        var lone = PartitionLog.Open(Dir, LogConfig.Default, Time, NullLogger.Instance);
        Assert.Equal(4, lone.HighWatermark);
        lone.Close();
        var none = PartitionLog.Open(Dir, LogConfig.Default, Time, NullLogger.Instance, highWatermark: 0);
        Assert.Equal(0, none.HighWatermark);
        none.Close();
    }
}
