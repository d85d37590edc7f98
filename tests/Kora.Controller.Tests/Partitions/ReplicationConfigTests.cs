using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Tests.Partitions;

public class ReplicationConfigTests
{
    [Theory]
    [InlineData("*", true)]
    [InlineData("", true)]
    [InlineData("0:1,1:2", true)]
    [InlineData(" 0:1 , 3:4 ", true)]
    [InlineData("0:x", false)]
    [InlineData("0-1", false)]
    [InlineData("*,0:1", false)]
    public void Throttled_replica_lists_are_star_or_partition_broker_pairs(string value, bool valid)
    {
        var problem = TopicConfigs.Validate([new KeyValuePair<string, string?>(ReplicationConfigs.LeaderThrottledReplicas, value)]);
        Assert.Equal(valid, problem is null);
        Assert.Equal(valid, TopicConfigs.Validate([new KeyValuePair<string, string?>(ReplicationConfigs.FollowerThrottledReplicas, value)]) is null);
    }

    [Fact]
    public void Throttle_rates_are_stored_per_broker_and_as_the_cluster_default()
    {
        var image = MetadataImage.Empty;
        var perBroker = BrokerConfigChanges.Alter(image, "2", [new(ReplicationConfigs.LeaderThrottledRate, "1048576"), new(ReplicationConfigs.FollowerThrottledRate, "2048")], false, false);
        Assert.Equal(ErrorCode.None, perBroker.Result.Error);
        image = MetadataImageBuilder.ApplyAll(image, perBroker.Records);
        var cluster = BrokerConfigChanges.Alter(image, "", [new(ReplicationConfigs.LeaderThrottledRate, "10")], false, false);
        image = MetadataImageBuilder.ApplyAll(image, cluster.Records);

        Assert.Equal("1048576", image.BrokerConfig(2, ReplicationConfigs.LeaderThrottledRate));
        Assert.Equal("2048", image.BrokerConfig(2, ReplicationConfigs.FollowerThrottledRate));
        Assert.Equal("10", image.BrokerConfig(1, ReplicationConfigs.LeaderThrottledRate));
    }

    [Fact]
    public void Bad_rates_and_static_broker_configs_are_refused()
    {
        Assert.Equal(ErrorCode.InvalidConfig, BrokerConfigChanges.Alter(MetadataImage.Empty, "1", [new(ReplicationConfigs.LeaderThrottledRate, "-5")], false, false).Result.Error);
        Assert.Equal(ErrorCode.InvalidConfig, BrokerConfigChanges.Alter(MetadataImage.Empty, "1", [new(ReplicationConfigs.FollowerThrottledRate, "fast")], false, false).Result.Error);
        Assert.Equal(ErrorCode.InvalidConfig, BrokerConfigChanges.Alter(MetadataImage.Empty, "", [new(TopicConfigs.UncleanLeaderElectionEnable, "maybe")], false, false).Result.Error);
        Assert.Equal(ErrorCode.InvalidRequest, BrokerConfigChanges.Alter(MetadataImage.Empty, "1", [new("num.partitions", "3")], false, false).Result.Error);
    }
}
