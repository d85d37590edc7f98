using Kora.Controller.Tests.Quorum;
using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Tests.Partitions;

public class ReassignmentTests
{
    private static ErrorCode Only(AlterPartitionReassignmentsResponse response) => (ErrorCode)response.Responses.Single().Partitions.Single().ErrorCode;

    private static ListPartitionReassignmentsResponse List(ControllerHarness h, string? topic = null) =>
        h.Run(c => c.ListPartitionReassignments(new ListPartitionReassignmentsRequest
        {
            Topics = topic is null ? null : [new ListPartitionReassignmentsRequest.ListPartitionReassignmentsTopics { Name = topic, PartitionIndexes = [0] }],
        }));

    private static (ControllerHarness H, int[] Original) FourBrokers()
    {
        var h = PartitionRequests.ThreeBrokers();
        h.RegisterBroker(4);
        return (h, h.Partition().Replicas);
    }

    [Fact]
    public void Adding_a_replica_lists_the_reassignment_until_the_leader_adds_it_to_the_isr()
    {
        var (h, original) = FourBrokers();
        var leader = h.Partition().Leader;
        var kept = original.Where(r => r != leader).ToArray();
        int[] target = [4, .. kept];

        Assert.Equal(ErrorCode.None, Only(h.Reassign("t", 0, target)));

        var moving = h.Partition();
        Assert.Equal([.. target, leader], moving.Replicas);
        Assert.Equal([4], moving.AddingReplicas);
        Assert.Equal([leader], moving.RemovingReplicas);
        Assert.Equal(leader, moving.Leader);
        var listed = List(h).Topics.Single().Partitions.Single();
        Assert.Equal(moving.Replicas, listed.Replicas);
        Assert.Equal(moving.AddingReplicas, listed.AddingReplicas);
        Assert.Equal(moving.RemovingReplicas, listed.RemovingReplicas);
        Assert.Single(List(h, "t").Topics);

        // The leader adds the new replica once it caught up: that completes the reassignment and moves leadership off the removed leader.
        var response = h.AlterIsr([.. moving.Isr, 4]);

        Assert.Equal(ErrorCode.NewLeaderElected, (ErrorCode)response.Topics.Single().Partitions.Single().ErrorCode);
        var done = h.Partition();
        Assert.Equal(target, done.Replicas);
        Assert.Equal(target.Order(), done.Isr.Order());
        Assert.Empty(done.AddingReplicas);
        Assert.Empty(done.RemovingReplicas);
        Assert.Equal(4, done.Leader);
        Assert.Equal(moving.LeaderEpoch + 1, done.LeaderEpoch);
        Assert.Empty(List(h).Topics);
    }

    [Fact]
    public void Cancelling_goes_back_to_the_original_replicas()
    {
        var (h, original) = FourBrokers();
        h.Reassign("t", 0, [4, original[1], original[2]]);
        h.AlterIsr([.. h.Partition().Isr.Where(r => r != original[2])]);
        Assert.True(h.Partition().IsReassigning);

        Assert.Equal(ErrorCode.None, Only(h.Reassign("t", 0, null)));

        var reverted = h.Partition();
        // As in Kafka, the original replicas come back in the order the reassignment held them (target first, removed last).
        Assert.Equal([original[1], original[2], original[0]], reverted.Replicas);
        Assert.Empty(reverted.AddingReplicas);
        Assert.Empty(reverted.RemovingReplicas);
        Assert.DoesNotContain(4, reverted.Isr);
        Assert.Empty(List(h).Topics);
        Assert.Equal(ErrorCode.NoReassignmentInProgress, Only(h.Reassign("t", 0, null)));
    }

    [Fact]
    public void Removing_a_replica_completes_at_once_and_fences_it_with_a_new_leader_epoch()
    {
        var (h, original) = FourBrokers();
        var before = h.Partition();
        int[] target = [original[0], original[1]];

        Assert.Equal(ErrorCode.None, Only(h.Reassign("t", 0, target)));

        var after = h.Partition();
        Assert.Equal(target, after.Replicas);
        Assert.Equal(target, after.Isr);
        Assert.False(after.IsReassigning);
        Assert.Equal(before.Leader, after.Leader);
        Assert.Equal(before.LeaderEpoch + 1, after.LeaderEpoch);
    }

    [Fact]
    public void Bad_assignments_and_unknown_partitions_are_refused()
    {
        var (h, original) = FourBrokers();
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, Only(h.Reassign("t", 0, [])));
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, Only(h.Reassign("t", 0, [1, 2, 1])));
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, Only(h.Reassign("t", 0, [1, 2, 9])));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Only(h.Reassign("nope", 0, [1, 2, 3])));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Only(h.Reassign("t", 3, [1, 2, 3])));
        Assert.Equal(ErrorCode.NoReassignmentInProgress, Only(h.Reassign("t", 0, null)));
        Assert.Equal(original, h.Partition().Replicas);
    }

    [Fact]
    public void A_snapshot_keeps_reassignment_and_leader_recovery_state()
    {
        var (h, original) = FourBrokers();
        h.Reassign("t", 0, [4, original[1], original[2]]);
        var image = h.Image;
        var topic = image.Topic("t")!;
        image = image.WithTopic(topic with { Partitions = topic.Partitions.SetItem(0, topic.Partitions[0] with { LeaderRecoveryState = LeaderRecoveryState.Recovering }) });

        var restored = MetadataSnapshot.Read(MetadataSnapshot.Write(image, 3, 0), image.Offset).Topic("t")!.Partitions[0];

        var expected = image.Topic("t")!.Partitions[0];
        Assert.Equal(expected.Replicas, restored.Replicas);
        Assert.Equal(expected.AddingReplicas, restored.AddingReplicas);
        Assert.Equal(expected.RemovingReplicas, restored.RemovingReplicas);
        Assert.Equal(LeaderRecoveryState.Recovering, restored.LeaderRecoveryState);
        Assert.Equal((expected.Leader, expected.LeaderEpoch, expected.PartitionEpoch), (restored.Leader, restored.LeaderEpoch, restored.PartitionEpoch));
    }
}
