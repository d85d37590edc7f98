using Kora.Storage.Epochs;

namespace Kora.Storage.Tests.Epochs;

/// <summary>Kafka's LeaderEpochFileCache semantics: assign, end offset per epoch, truncation, the checkpoint file.</summary>
public sealed class LeaderEpochCacheTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kora-epochs-");

    [Fact]
    public void Assign_KeepsEpochsAndOffsetsIncreasing_IgnoringOlderEpochs()
    {
        var cache = new LeaderEpochCache(null, []);
        Assert.True(cache.Assign(1, 0));
        Assert.True(cache.Assign(3, 10));
        Assert.False(cache.Assign(3, 20));
        Assert.False(cache.Assign(2, 30));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 10)], cache.Entries);
        Assert.Equal(3, cache.LatestEpoch);

        // A new epoch at an offset some entries already start at replaces them.
        Assert.True(cache.Assign(4, 10));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(4, 10)], cache.Entries);
    }

    [Fact]
    public void EndOffsetFor_FollowsKafka()
    {
        var cache = new LeaderEpochCache(null, [new EpochEntry(2, 5), new EpochEntry(4, 20), new EpochEntry(7, 40)]);
        // The latest epoch ends at the log end.
        Assert.Equal(new EpochEndOffset(7, 55), cache.EndOffsetFor(7, 55));
        // An epoch in the cache ends where the next one starts.
        Assert.Equal(new EpochEndOffset(4, 40), cache.EndOffsetFor(4, 55));
        // An epoch between two known ones: the lower one, ending where the higher starts.
        Assert.Equal(new EpochEndOffset(4, 40), cache.EndOffsetFor(5, 55));
        // Below the first epoch: the requested epoch, ending where the first starts.
        Assert.Equal(new EpochEndOffset(1, 5), cache.EndOffsetFor(1, 55));
        // Above the latest, or undefined: undefined.
        Assert.Equal(EpochEndOffset.Undefined, cache.EndOffsetFor(8, 55));
        Assert.Equal(EpochEndOffset.Undefined, cache.EndOffsetFor(-1, 55));
        Assert.Equal(EpochEndOffset.Undefined, new LeaderEpochCache(null, []).EndOffsetFor(0, 0));
    }

    [Fact]
    public void Truncation_FromEndAndStart()
    {
        var cache = new LeaderEpochCache(null, [new EpochEntry(2, 5), new EpochEntry(4, 20), new EpochEntry(7, 40)]);
        Assert.True(cache.TruncateFromEnd(20));
        Assert.Equal([new EpochEntry(2, 5)], cache.Entries);
        Assert.Equal(2, cache.LatestEpoch);
        Assert.False(cache.TruncateFromEnd(20));

        var again = new LeaderEpochCache(null, [new EpochEntry(2, 5), new EpochEntry(4, 20), new EpochEntry(7, 40)]);
        Assert.True(again.TruncateFromStart(25));
        Assert.Equal([new EpochEntry(4, 25), new EpochEntry(7, 40)], again.Entries);
    }

    [Fact]
    public void Checkpoint_RoundTripsInKafkasFormat_AndAnUnreadableFileIsEmpty()
    {
        var cache = LeaderEpochCache.Load(_dir.FullName);
        cache.Assign(0, 0);
        cache.Assign(3, 100);
        cache.Flush();
        var path = Path.Combine(_dir.FullName, LeaderEpochCheckpoint.FileName);
        Assert.Equal("0\n2\n0 0\n3 100\n", File.ReadAllText(path));
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(3, 100)], LeaderEpochCache.Load(_dir.FullName).Entries);

        File.WriteAllText(path, "0\n3\n0 0\n");
        Assert.Empty(LeaderEpochCache.Load(_dir.FullName).Entries);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
