using Kora.Controller.Partitions;
using Kora.Controller.Tests.Quorum;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Tests.Partitions;

public class ElectLeadersTests
{
    private static ErrorCode Only(ElectLeadersResponse response) => (ErrorCode)response.ReplicaElectionResults.Single().PartitionResult.Single().ErrorCode;

    /// <summary>The preferred replica was fenced and came back: it is active but not yet in the ISR.</summary>
    private static (ControllerHarness H, int Preferred, int Leader) PreferredReplicaReturned()
    {
        var h = PartitionRequests.ThreeBrokers();
        var preferred = h.Partition().PreferredLeader;
        Assert.Equal(preferred, h.Partition().Leader);
        h.Fence(preferred);
        h.Unfence(preferred);
        var leader = h.Partition().Leader;
        Assert.NotEqual(preferred, leader);
        Assert.DoesNotContain(preferred, h.Partition().Isr);
        return (h, preferred, leader);
    }

    [Fact]
    public void A_preferred_election_waits_for_the_preferred_replica_to_rejoin_the_isr()
    {
        var (h, preferred, leader) = PreferredReplicaReturned();
        Assert.Equal(ErrorCode.PreferredLeaderNotAvailable, Only(h.Elect(LeaderElections.Preferred, ("t", 0))));
        Assert.Equal(leader, h.Partition().Leader);

        h.AlterIsr([.. h.Partition().Isr, preferred]);
        var epoch = h.Partition().LeaderEpoch;
        Assert.Equal(ErrorCode.None, Only(h.Elect(LeaderElections.Preferred, ("t", 0))));
        Assert.Equal(preferred, h.Partition().Leader);
        Assert.Equal(epoch + 1, h.Partition().LeaderEpoch);

        var again = h.Elect(LeaderElections.Preferred, ("t", 0));
        Assert.Equal(ErrorCode.ElectionNotNeeded, Only(again));
    }

    [Fact]
    public void Electing_every_partition_leaves_out_those_that_need_no_election()
    {
        var (h, preferred, _) = PreferredReplicaReturned();
        h.CreateTopic("balanced", 2, 3);
        h.AlterIsr([.. h.Partition().Isr, preferred]);

        var all = h.Elect(LeaderElections.Preferred);

        Assert.Equal(ErrorCode.None, (ErrorCode)all.ErrorCode);
        Assert.Empty(all.ReplicaElectionResults.Single(t => t.Topic == "balanced").PartitionResult);
        var moved = all.ReplicaElectionResults.Single(t => t.Topic == "t").PartitionResult.Single();
        Assert.Equal((0, ErrorCode.None), (moved.PartitionId, (ErrorCode)moved.ErrorCode));
        Assert.Equal(preferred, h.Partition().Leader);
    }

    [Fact]
    public void An_unclean_election_elects_any_live_replica_for_a_leaderless_partition()
    {
        var h = PartitionRequests.ThreeBrokers();
        Assert.Equal(ErrorCode.ElectionNotNeeded, Only(h.Elect(LeaderElections.Unclean, ("t", 0))));
        var leader = h.Partition().Leader;
        h.AlterIsr([leader]);
        h.Fence(leader);
        Assert.Equal(-1, h.Partition().Leader);

        Assert.Equal(ErrorCode.None, Only(h.Elect(LeaderElections.Unclean, ("t", 0))));

        var after = h.Partition();
        Assert.NotEqual(-1, after.Leader);
        Assert.Equal([after.Leader], after.Isr);
        Assert.Equal(Kora.Metadata.LeaderRecoveryState.Recovering, after.LeaderRecoveryState);
    }

    [Fact]
    public void An_unclean_election_with_no_live_replica_finds_no_eligible_leader()
    {
        var h = PartitionRequests.ThreeBrokers();
        foreach (var broker in h.Partition().Replicas.ToArray())
        {
            h.Fence(broker);
        }
        Assert.Equal(ErrorCode.EligibleLeadersNotAvailable, Only(h.Elect(LeaderElections.Unclean, ("t", 0))));
    }

    [Fact]
    public void Unknown_partitions_and_election_types_are_refused()
    {
        var h = PartitionRequests.ThreeBrokers();
        var unknown = h.Elect(LeaderElections.Preferred, ("nope", 0), ("t", 5));
        Assert.All(unknown.ReplicaElectionResults, t => Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)t.PartitionResult.Single().ErrorCode));

        var bad = h.Elect(7, ("t", 0));
        Assert.Equal(ErrorCode.InvalidRequest, (ErrorCode)bad.ErrorCode);
        Assert.Equal(ErrorCode.InvalidRequest, Only(bad));
    }
}
