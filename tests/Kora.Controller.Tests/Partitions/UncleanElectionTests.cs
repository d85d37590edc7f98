using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Tests.Partitions;

public class UncleanElectionTests
{
    [Fact]
    public void Without_unclean_election_the_last_isr_member_stays_and_leads_again_when_it_returns()
    {
        var h = PartitionRequests.ThreeBrokers();
        var leader = h.Partition().Leader;
        h.AlterIsr([leader]);

        h.Fence(leader);

        var offline = h.Partition();
        Assert.Equal(-1, offline.Leader);
        Assert.Equal([leader], offline.Isr);

        h.Unfence(leader);
        Assert.Equal(leader, h.Partition().Leader);
        Assert.Equal(LeaderRecoveryState.Recovered, h.Partition().LeaderRecoveryState);
    }

    [Fact]
    public void With_unclean_election_a_live_out_of_sync_replica_leads_alone_and_recovers()
    {
        var h = PartitionRequests.ThreeBrokers("t", 1, (TopicConfigs.UncleanLeaderElectionEnable, "true"));
        var before = h.Partition();
        h.AlterIsr([before.Leader]);

        h.Fence(before.Leader);

        var after = h.Partition();
        var expected = before.Replicas.First(r => r != before.Leader);
        Assert.Equal(expected, after.Leader);
        Assert.Equal([expected], after.Isr);
        Assert.Equal(LeaderRecoveryState.Recovering, after.LeaderRecoveryState);
        Assert.Equal(before.LeaderEpoch + 1, after.LeaderEpoch);

        // While recovering the ISR cannot grow; the leader reports RECOVERED first (its default in AlterPartition).
        var other = before.Replicas.First(r => r != before.Leader && r != expected);
        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)h.AlterIsr([expected, other], recovery: 1).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.None, (ErrorCode)h.AlterIsr([expected]).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(LeaderRecoveryState.Recovered, h.Partition().LeaderRecoveryState);
    }

    [Fact]
    public void The_cluster_wide_default_enables_unclean_election_for_topics_without_an_override()
    {
        var h = PartitionRequests.ThreeBrokers();
        var set = h.Run(c => c.Write(image => Kora.Controller.Quorum.BrokerConfigChanges.Alter(image, "",
            [new KeyValuePair<string, string?>(TopicConfigs.UncleanLeaderElectionEnable, "true")], replace: false, validateOnly: false)));
        Assert.Equal(ErrorCode.None, set.Error);
        var before = h.Partition();
        h.AlterIsr([before.Leader]);

        h.Fence(before.Leader);

        Assert.NotEqual(-1, h.Partition().Leader);
        Assert.Equal(LeaderRecoveryState.Recovering, h.Partition().LeaderRecoveryState);
    }

    [Fact]
    public void The_periodic_check_elects_uncleanly_once_a_topic_allows_it()
    {
        var h = PartitionRequests.ThreeBrokers(o => o.LeaderImbalanceCheckIntervalSeconds = 1);
        var before = h.Partition();
        h.AlterIsr([before.Leader]);
        h.Fence(before.Leader);
        Assert.Equal(-1, h.Partition().Leader);

        h.Run(c => c.Write(image => TopicChanges.AlterTopicConfigs(image, "t",
            current => (new Dictionary<string, string>(current) { [TopicConfigs.UncleanLeaderElectionEnable] = "true" }, null), validateOnly: false)));
        h.Now += h.Options.LeaderImbalanceCheckIntervalSeconds * 1000L;
        h.Controller.Tick(h.Now);
        h.CommitAll();

        Assert.NotEqual(-1, h.Partition().Leader);
        Assert.NotEqual(before.Leader, h.Partition().Leader);
    }
}
