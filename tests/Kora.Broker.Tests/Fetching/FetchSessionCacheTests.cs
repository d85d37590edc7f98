using Kora.Broker.Fetching;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Tests.Fetching;

/// <summary>Kafka's fetch-session eviction: stale sessions first, and a follower's session before a consumer's.</summary>
public sealed class FetchSessionCacheTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; } = 1_000_000;
        public override long TimestampFrequency => 1000;
        public override long GetTimestamp() => Ticks;
    }

    private static (FetchSessionCache Cache, ManualClock Clock) Cache(int slots)
    {
        var clock = new ManualClock();
        var options = Options.Create(new BrokerOptions { MaxIncrementalFetchSessionCacheSlots = slots, MinIncrementalFetchSessionEvictionMs = 120_000 });
        return (new FetchSessionCache(options, clock), clock);
    }

    private static FetchSession WithPartitions(FetchSession session, int count)
    {
        for (var p = 0; p < count; p++)
        {
            session.Upsert("t", Guid.Empty, p, byTopicId: false);
        }
        return session;
    }

    [Fact]
    public void A_full_cache_turns_a_new_consumer_away_but_lets_a_follower_evict_the_smallest_consumer_session()
    {
        var (cache, clock) = Cache(slots: 2);
        var big = WithPartitions(cache.Create()!, 10);
        clock.Ticks += 10;
        var small = WithPartitions(cache.Create()!, 2);

        // A consumer cannot evict sessions in use: it fetches in full instead.
        Assert.Null(cache.Create());
        Assert.Equal(2, cache.Count);

        var follower = cache.Create(privileged: true);
        Assert.NotNull(follower);
        Assert.True(follower.Privileged);
        Assert.Null(cache.Get(small.Id));
        Assert.NotNull(cache.Get(big.Id));
    }

    [Fact]
    public void A_consumer_may_take_the_place_of_a_smaller_session_created_longer_ago_than_the_eviction_time()
    {
        var (cache, clock) = Cache(slots: 1);
        var small = WithPartitions(cache.Create(size: 2)!, 2);
        Assert.Null(cache.Create(size: 5));
        // Still in use, but created over min.incremental.fetch.session.eviction.ms ago: a bigger consumer session wins.
        clock.Ticks += 120_001;
        Assert.NotNull(cache.Get(small.Id));
        Assert.Null(cache.Create(size: 1));
        Assert.NotNull(cache.Create(size: 5));
        Assert.Null(cache.Get(small.Id));
    }

    [Fact]
    public void Followers_sessions_are_not_evicted_by_followers_until_they_go_stale()
    {
        var (cache, clock) = Cache(slots: 1);
        var first = cache.Create(privileged: true)!;
        Assert.Null(cache.Create(privileged: true));
        Assert.Null(cache.Create());

        // Unused for min.incremental.fetch.session.eviction.ms: any new session may take its place.
        clock.Ticks += 120_001;
        var next = cache.Create();
        Assert.NotNull(next);
        Assert.Null(cache.Get(first.Id));
    }
}
