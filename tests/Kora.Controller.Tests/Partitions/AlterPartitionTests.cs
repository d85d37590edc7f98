using Kora.Controller.Quorum;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Tests.Partitions;

public class AlterPartitionTests
{
    private static ErrorCode PartitionError(AlterPartitionResponse response) => (ErrorCode)response.Topics.Single().Partitions.Single().ErrorCode;

    [Fact]
    public void The_leader_shrinks_and_expands_the_isr_bumping_only_the_partition_epoch()
    {
        var h = PartitionRequests.ThreeBrokers();
        var before = h.Partition();
        var follower = before.Replicas.First(r => r != before.Leader);

        var shrunk = h.AlterIsr([.. before.Isr.Where(r => r != follower)]);

        var answer = shrunk.Topics.Single().Partitions.Single();
        Assert.Equal((ErrorCode.None, ErrorCode.None), ((ErrorCode)shrunk.ErrorCode, (ErrorCode)answer.ErrorCode));
        var after = h.Partition();
        Assert.DoesNotContain(follower, after.Isr);
        Assert.Equal(before.LeaderEpoch, after.LeaderEpoch);
        Assert.Equal(before.PartitionEpoch + 1, after.PartitionEpoch);
        Assert.Equal((after.Leader, after.LeaderEpoch, after.PartitionEpoch), (answer.LeaderId, answer.LeaderEpoch, answer.PartitionEpoch));
        Assert.Equal(after.Isr, answer.Isr);

        var expanded = h.AlterIsr([.. after.Isr, follower]);
        Assert.Equal(ErrorCode.None, PartitionError(expanded));
        Assert.Contains(follower, h.Partition().Isr);
        Assert.Equal(before.PartitionEpoch + 2, h.Partition().PartitionEpoch);
    }

    [Fact]
    public void A_request_with_a_stale_broker_epoch_is_refused_as_a_whole()
    {
        var h = PartitionRequests.ThreeBrokers();
        var leader = h.Partition().Leader;
        var response = h.AlterIsr([leader], brokerEpoch: h.Image.Brokers[leader].Epoch - 1);
        Assert.Equal(ErrorCode.StaleBrokerEpoch, (ErrorCode)response.ErrorCode);
        Assert.Empty(response.Topics);
        Assert.Equal(3, h.Partition().Isr.Length);
    }

    [Fact]
    public void Stale_and_future_epochs_and_a_sender_that_does_not_lead_get_kafkas_errors()
    {
        var h = PartitionRequests.ThreeBrokers();
        var p = h.Partition();
        var follower = p.Replicas.First(r => r != p.Leader);
        // Move the leader epoch on (the leader's ISR change after a fence and return bumps it).
        h.Fence(p.Leader);
        h.Unfence(p.Leader);
        p = h.Partition();
        Assert.Equal(ErrorCode.FencedLeaderEpoch, PartitionError(h.AlterIsr([p.Leader], leaderEpoch: p.LeaderEpoch - 1)));
        Assert.Equal(ErrorCode.NotController, PartitionError(h.AlterIsr([p.Leader], leaderEpoch: p.LeaderEpoch + 1)));
        Assert.Equal(ErrorCode.NotController, PartitionError(h.AlterIsr([p.Leader], partitionEpoch: p.PartitionEpoch + 1)));
        Assert.Equal(ErrorCode.InvalidUpdateVersion, PartitionError(h.AlterIsr([p.Leader], partitionEpoch: p.PartitionEpoch - 1)));
        var notLeader = p.Isr.First(r => r != p.Leader);
        Assert.Equal(ErrorCode.InvalidRequest, PartitionError(h.AlterIsr([p.Leader, notLeader], brokerId: notLeader)));
        Assert.Equal(ErrorCode.InvalidRequest, PartitionError(h.AlterIsr([.. p.Isr.Where(r => r != p.Leader)])));
        Assert.Equal(ErrorCode.InvalidRequest, PartitionError(h.AlterIsr([p.Leader, p.Leader])));
        Assert.Equal(ErrorCode.InvalidRequest, PartitionError(h.AlterIsr([p.Leader], recovery: 1)));
        Assert.Equal(ErrorCode.InvalidRequest, PartitionError(h.AlterIsr([p.Leader], recovery: 7)));
        Assert.Equal(p.PartitionEpoch, h.Partition().PartitionEpoch);
        _ = follower;
    }

    [Fact]
    public void A_fenced_or_shutting_down_or_stale_epoch_member_is_ineligible()
    {
        var h = PartitionRequests.ThreeBrokers();
        var p = h.Partition();
        var follower = p.Replicas.First(r => r != p.Leader);
        var other = p.Replicas.First(r => r != p.Leader && r != follower);
        h.AlterIsr([p.Leader, other]);

        // v3 checks the broker epoch each member was caught up in; -1 skips the check.
        Assert.Equal(ErrorCode.IneligibleReplica, PartitionError(h.AlterIsr([h.Partition().Leader, other, follower], isrEpochs: [-1, -1, h.Image.Brokers[follower].Epoch - 1])));
        Assert.Equal(ErrorCode.None, PartitionError(h.AlterIsr([h.Partition().Leader, other, follower], isrEpochs: [-1, -1, -1])));
        h.AlterIsr([p.Leader, other]);

        h.Fence(follower);
        Assert.Equal(ErrorCode.IneligibleReplica, PartitionError(h.AlterIsr([p.Leader, other, follower], version: 2)));
        Assert.Equal(ErrorCode.OperationNotAttempted, PartitionError(h.AlterIsr([p.Leader, other, follower], version: 1)));
        h.Unfence(follower);
        h.Run(c => c.Heartbeat(follower, h.Image.Brokers[follower].Epoch, long.MaxValue, false, true, h.Now));
        Assert.True(h.Image.Brokers[follower].InControlledShutdown);
        Assert.Equal(ErrorCode.IneligibleReplica, PartitionError(h.AlterIsr([p.Leader, other, follower])));
        Assert.DoesNotContain(follower, h.Partition().Isr);
    }

    [Fact]
    public void Unknown_topics_and_partitions_are_named_by_id_from_v2_and_by_name_before()
    {
        var h = PartitionRequests.ThreeBrokers();
        var leader = h.Partition().Leader;
        var request = new AlterPartitionRequest
        {
            BrokerId = leader,
            BrokerEpoch = h.Image.Brokers[leader].Epoch,
            Topics =
            [
                new AlterPartitionRequest.TopicData { TopicName = "nope", TopicId = Guid.NewGuid(), Partitions = [new AlterPartitionRequest.PartitionData { PartitionIndex = 0, NewIsr = [leader] }] },
                new AlterPartitionRequest.TopicData { TopicName = "t", TopicId = h.Image.Topic("t")!.Id, Partitions = [new AlterPartitionRequest.PartitionData { PartitionIndex = 9, NewIsr = [leader] }] },
            ],
        };
        var v2 = h.Run(c => c.AlterPartition(request, 2));
        Assert.Equal([ErrorCode.UnknownTopicId, ErrorCode.UnknownTopicOrPartition], v2.Topics.Select(t => (ErrorCode)t.Partitions.Single().ErrorCode));
        var v1 = h.Run(c => c.AlterPartition(request, 1));
        Assert.Equal([ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition], v1.Topics.Select(t => (ErrorCode)t.Partitions.Single().ErrorCode));
    }

    [Fact]
    public void A_controller_that_is_not_active_refuses_with_not_controller()
    {
        var h = PartitionRequests.ThreeBrokers();
        h.LoseLeadership(2);
        var task = h.Controller.AlterPartition(new AlterPartitionRequest { BrokerId = 1, BrokerEpoch = h.Image.Brokers[1].Epoch }, 3);
        Assert.IsType<NotControllerException>(task.Exception?.InnerException);
    }
}
