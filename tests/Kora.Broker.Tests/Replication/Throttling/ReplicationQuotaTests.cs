using System.Collections.Immutable;
using Kora.Broker.Replication.Throttling;
using Kora.Metadata;
using Kora.Metadata.Configs;

namespace Kora.Broker.Tests.Replication.Throttling;

/// <summary>
/// Kafka's ReplicationQuotaManager semantics: which replicas a topic's throttled-replicas list names for this
/// broker, the rate limit from the per-broker or cluster-default dynamic config, and the sliding-window rate
/// (11 one-second samples, at least 10 s of span) that decides when a throttled replica is over quota.
/// </summary>
public sealed class ReplicationQuotaTests
{
    private const int Broker = 2;

    private static MetadataImage Image(string? replicas, string? perBrokerRate = null, string? clusterRate = null)
    {
        var configs = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        if (replicas is not null)
        {
            configs = configs.Add(ReplicationConfigs.LeaderThrottledReplicas, replicas);
        }
        var topic = new TopicImage("moving", Guid.NewGuid(), [], configs);
        var image = MetadataImage.Empty.WithTopic(topic);
        if (clusterRate is not null)
        {
            image = image with { BrokerConfigs = image.BrokerConfigs.Add(ReplicationConfigs.LeaderThrottledRate, clusterRate) };
        }
        if (perBrokerRate is not null)
        {
            image = image with
            {
                PerBrokerConfigs = image.PerBrokerConfigs.Add(Broker,
                    ImmutableDictionary<string, string>.Empty.Add(ReplicationConfigs.LeaderThrottledRate, perBrokerRate)),
            };
        }
        return image;
    }

    private static ReplicationQuota Quota(Func<MetadataImage> image) =>
        new(image, Broker, ReplicationConfigs.LeaderThrottledReplicas, ReplicationConfigs.LeaderThrottledRate);

    [Fact]
    public void Throttled_replicas_are_the_partitions_listed_with_this_broker()
    {
        var quota = Quota(() => Image("0:1,1:2, 3:2,4:3", perBrokerRate: "100"));
        Assert.False(quota.IsThrottled("moving", 0));
        Assert.True(quota.IsThrottled("moving", 1));
        Assert.True(quota.IsThrottled("moving", 3));
        Assert.False(quota.IsThrottled("moving", 4));
        Assert.False(quota.IsThrottled("other", 1));
    }

    [Fact]
    public void Star_throttles_every_partition()
    {
        var quota = Quota(() => Image("*", clusterRate: "100"));
        Assert.True(quota.IsThrottled("moving", 0));
        Assert.True(quota.IsThrottled("moving", 17));
    }

    [Fact]
    public void Without_a_rate_nothing_is_throttled()
    {
        var quota = Quota(() => Image("*"));
        Assert.Equal(long.MaxValue, quota.Bound);
        Assert.False(quota.IsThrottled("moving", 0));
        quota.Record(1_000_000_000, 0);
        Assert.False(quota.ShouldThrottle("moving", 0, inSync: false, 0));
    }

    [Fact]
    public void The_per_broker_rate_wins_over_the_cluster_default_and_follows_the_image()
    {
        var image = Image("*", perBrokerRate: "500", clusterRate: "100");
        var quota = Quota(() => image);
        Assert.Equal(500, quota.Bound);
        image = Image("*", clusterRate: "100");
        Assert.Equal(100, quota.Bound);
        image = Image("", clusterRate: "100");
        Assert.False(quota.IsThrottled("moving", 0));
    }

    [Fact]
    public void Rate_spans_at_least_ten_windows_so_a_young_sensor_allows_a_burst_of_ten_seconds()
    {
        var quota = Quota(() => Image("*", perBrokerRate: "1000"));
        quota.Record(10_000, 0);
        // 10 000 bytes over a span counted as 10 s: exactly the bound, not over it.
        Assert.Equal(1000, quota.Rate(0), 3);
        Assert.False(quota.IsQuotaExceeded(0));
        quota.Record(1, 0);
        Assert.True(quota.IsQuotaExceeded(0));
        Assert.True(quota.ShouldThrottle("moving", 0, inSync: false, 0));
        // In-sync replicas are never throttled.
        Assert.False(quota.ShouldThrottle("moving", 0, inSync: true, 0));
    }

    [Fact]
    public void Old_samples_fall_out_of_the_window()
    {
        var quota = Quota(() => Image("*", perBrokerRate: "1000"));
        quota.Record(20_000, 0);
        Assert.True(quota.IsQuotaExceeded(500));
        // Past 11 windows the burst no longer counts.
        Assert.False(quota.IsQuotaExceeded(11_000));
        Assert.Equal(0, quota.Rate(11_000), 3);
    }

    [Fact]
    public void Steady_traffic_at_the_bound_is_measured_at_the_bound()
    {
        var quota = Quota(() => Image("*", perBrokerRate: "1000"));
        for (var ms = 0L; ms < 60_000; ms += 100)
        {
            quota.Record(100, ms);
        }
        var rate = quota.Rate(60_000);
        Assert.InRange(rate, 900, 1100);
    }

    [Fact]
    public void A_sender_that_stops_when_over_quota_averages_the_bound()
    {
        // What the leader and follower do: move a chunk whenever not over quota, checking every 10 ms.
        var quota = Quota(() => Image("*", perBrokerRate: "100000"));
        long sent = 0;
        for (var ms = 0L; ms <= 120_000; ms += 10)
        {
            if (!quota.ShouldThrottle("moving", 0, inSync: false, ms))
            {
                quota.RecordIfThrottled("moving", 0, 50_000, ms);
                sent += 50_000;
            }
        }
        // 120 s at 100 kB/s, plus the first window's burst (10 s) and one chunk.
        Assert.InRange(sent, 120 * 100_000, 131 * 100_000 + 50_000);
    }
}
