using Kora.Raft.Log;

namespace Kora.Raft.Tests.Log;

public sealed class LeaderEpochCacheTests
{
    [Fact]
    public void EndOffsetForFollowsKafkasRules()
    {
        var cache = new LeaderEpochCache();
        cache.Assign(1, 0);
        cache.Assign(3, 10);
        cache.Assign(5, 20);
        Assert.Equal(new OffsetAndEpoch(25, 5), cache.EndOffsetFor(5, 25));
        Assert.Equal(new OffsetAndEpoch(20, 3), cache.EndOffsetFor(4, 25));
        Assert.Equal(new OffsetAndEpoch(10, 1), cache.EndOffsetFor(2, 25));
        Assert.Equal(new OffsetAndEpoch(0, 0), cache.EndOffsetFor(0, 25));
        Assert.Null(cache.EndOffsetFor(6, 25));
        Assert.Throws<InvalidOperationException>(() => cache.Assign(4, 30));
    }

    [Fact]
    public void TruncationFromBothEnds()
    {
        var cache = new LeaderEpochCache();
        cache.Assign(1, 0);
        cache.Assign(2, 10);
        cache.Assign(3, 20);
        cache.TruncateFromEnd(20);
        Assert.Equal(2, cache.LatestEpoch);
        cache.TruncateFromStart(15);
        Assert.Equal(new OffsetAndEpoch(15, 1), cache.EndOffsetFor(1, 18));
        Assert.Equal(new OffsetAndEpoch(18, 2), cache.EndOffsetFor(2, 18));
    }
}
