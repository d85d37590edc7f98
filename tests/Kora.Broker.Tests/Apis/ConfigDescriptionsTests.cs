using Kora.Broker.Apis;
using Kora.Broker.Configs;
using Kora.Metadata.Configs;

namespace Kora.Broker.Tests.Apis;

public class ConfigDescriptionsTests
{
    private static readonly Dictionary<string, string> NoOverrides = new(StringComparer.Ordinal);

    [Fact]
    public void Topic_NullOrEmptyKeys_DescribeEveryConfig()
    {
        var all = ConfigDescriptions.Topic(NoOverrides, new BrokerOptions(), null);
        Assert.Equal(TopicConfigs.All.Select(d => d.Name), all.Select(c => c.Name));
        Assert.Equal(all.Count, ConfigDescriptions.Topic(NoOverrides, new BrokerOptions(), []).Count);
    }

    [Fact]
    public void Topic_Keys_FilterTheConfigs_AndUnknownKeysAreIgnored()
    {
        var described = ConfigDescriptions.Topic(NoOverrides, new BrokerOptions(), ["retention.ms", "cleanup.policy", "no.such.config"]);
        Assert.Equal(["cleanup.policy", "retention.ms"], described.Select(c => c.Name));
    }

    [Fact]
    public void Topic_Default_ComesFromTheDefaultConfig()
    {
        var config = ConfigDescriptions.Topic(NoOverrides, new BrokerOptions(), ["retention.ms"]).Single();
        Assert.Equal("604800000", config.Value);
        Assert.Equal(ConfigSource.DefaultConfig, config.Source);
        Assert.False(config.ReadOnly);
        Assert.False(config.IsSensitive);
        Assert.Equal(ConfigType.Long, config.Type);
        Assert.False(string.IsNullOrEmpty(config.Documentation));
        Assert.Equal([new ConfigSynonym("log.retention.ms", "604800000", ConfigSource.DefaultConfig)], config.Synonyms);
    }

    [Fact]
    public void Topic_Override_IsTheValue_AndTheFirstSynonym()
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal) { ["retention.ms"] = "3600000" };
        var config = ConfigDescriptions.Topic(overrides, new BrokerOptions(), ["retention.ms"]).Single();
        Assert.Equal("3600000", config.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, config.Source);
        Assert.Equal(
            [
                new ConfigSynonym("retention.ms", "3600000", ConfigSource.DynamicTopicConfig),
                new ConfigSynonym("log.retention.ms", "604800000", ConfigSource.DefaultConfig),
            ],
            config.Synonyms);
    }

    [Fact]
    public void Topic_ConfiguredBrokerSetting_IsAStaticBrokerConfig()
    {
        var config = ConfigDescriptions.Topic(NoOverrides, new BrokerOptions { LogRetentionMs = 1000 }, ["retention.ms"]).Single();
        Assert.Equal("1000", config.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, config.Source);
        Assert.Equal(
            [
                new ConfigSynonym("log.retention.ms", "1000", ConfigSource.StaticBrokerConfig),
                new ConfigSynonym("log.retention.ms", "604800000", ConfigSource.DefaultConfig),
            ],
            config.Synonyms);
    }

    [Fact]
    public void Topic_ListConfig_HasListType()
    {
        var config = ConfigDescriptions.Topic(NoOverrides, new BrokerOptions(), ["cleanup.policy"]).Single();
        Assert.Equal(ConfigType.List, config.Type);
        Assert.Equal("delete", config.Value);
    }

    [Fact]
    public void Broker_ListsTheCommonSettings_StaticOnesReadOnly()
    {
        var options = new BrokerOptions { NodeId = 7, NumPartitions = 3 };
        var described = ConfigDescriptions.Broker(options, null).ToDictionary(c => c.Name);
        foreach (var name in new[]
        {
            "broker.id", "log.retention.ms", "log.segment.bytes", "num.partitions", "auto.create.topics.enable", "message.max.bytes",
            "default.replication.factor", "log.flush.interval.messages", "log.flush.interval.ms", "socket.request.max.bytes", "log.cleanup.policy",
        })
        {
            Assert.True(described.ContainsKey(name), name);
        }
        string[] dynamic = ["leader.replication.throttled.rate", "follower.replication.throttled.rate", "unclean.leader.election.enable"];
        Assert.All(described.Values, c => Assert.Equal(!dynamic.Contains(c.Name), c.ReadOnly));
        Assert.Equal("7", described["broker.id"].Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, described["num.partitions"].Source);
        Assert.Equal("3", described["num.partitions"].Value);
        Assert.Equal(ConfigSource.DefaultConfig, described["auto.create.topics.enable"].Source);
        Assert.Equal("true", described["auto.create.topics.enable"].Value);
        Assert.Equal(ConfigType.Boolean, described["auto.create.topics.enable"].Type);
    }

    [Fact]
    public void Broker_DynamicValues_OverrideTheStaticSetting_PerBrokerFirst()
    {
        var perBroker = new Dictionary<string, string> { ["leader.replication.throttled.rate"] = "1048576" };
        var cluster = new Dictionary<string, string> { ["leader.replication.throttled.rate"] = "10", ["follower.replication.throttled.rate"] = "20" };
        var described = ConfigDescriptions.Broker(new BrokerOptions(), null, perBroker, cluster).ToDictionary(c => c.Name);

        var leader = described["leader.replication.throttled.rate"];
        Assert.Equal(("1048576", ConfigSource.DynamicBrokerConfig), (leader.Value, leader.Source));
        Assert.Equal([ConfigSource.DynamicBrokerConfig, ConfigSource.DynamicDefaultBrokerConfig, ConfigSource.DefaultConfig], leader.Synonyms.Select(s => s.Source));
        var follower = described["follower.replication.throttled.rate"];
        Assert.Equal(("20", ConfigSource.DynamicDefaultBrokerConfig), (follower.Value, follower.Source));
        Assert.Equal(("false", ConfigSource.DefaultConfig), (described["unclean.leader.election.enable"].Value, described["unclean.leader.election.enable"].Source));
    }

    [Fact]
    public void Broker_Keys_FilterTheConfigs()
    {
        var described = ConfigDescriptions.Broker(new BrokerOptions(), ["num.partitions", "message.max.bytes"]);
        Assert.Equal(["num.partitions", "message.max.bytes"], described.Select(c => c.Name));
    }

    [Fact]
    public void BrokerConfigNames_AreUnique()
    {
        Assert.Equal(BrokerConfigs.All.Count, BrokerConfigs.All.Select(d => d.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void ClusterDefaults_ListOnlyWhatIsSet()
    {
        Assert.Empty(ConfigDescriptions.ClusterDefaults(NoOverrides, null));
        var set = new Dictionary<string, string>(StringComparer.Ordinal) { ["log.retention.ms"] = "5" };
        var config = ConfigDescriptions.ClusterDefaults(set, null).Single();
        Assert.Equal(ConfigSource.DynamicDefaultBrokerConfig, config.Source);
        Assert.Equal("5", config.Value);
    }

    [Theory]
    [InlineData("", 1, null)]
    [InlineData("1", 1, null)]
    [InlineData("2", 1, "Unexpected broker id, expected 1, but received 2")]
    [InlineData("one", 1, "Broker id must be an integer, but it is: one")]
    public void BrokerResourceNames_MustNameThisBrokerOrTheCluster(string name, int nodeId, string? expected)
    {
        Assert.Equal(expected, Kora.Broker.Configs.ConfigResourceAlterer.BrokerResourceProblem(name, nodeId));
    }
}
