using System.Collections.Immutable;
using Kora.Broker.Groups;
using Kora.Broker.Groups.Consumer;
using Kora.Metadata;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Groups.Consumer;

public class ConsumerGroupCoordinatorTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        public override DateTimeOffset GetUtcNow() => Now;
        public void Advance(int ms) => Now = Now.AddMilliseconds(ms);
    }

    private sealed class MemoryLog : IGroupLog
    {
        public List<(byte[] Key, byte[]? Value)> Records { get; } = [];
        public void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records) => Records.AddRange(records);

        public ErrorCode AppendTransactional(string groupId, long producerId, short producerEpoch, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
        {
            Records.AddRange(records);
            return ErrorCode.None;
        }
    }

    private readonly ManualTime _time = new();
    private readonly MemoryLog _log = new();
    private MetadataImage _image = MetadataImage.Empty.WithTopic(Topic("t", 4));

    private static TopicImage Topic(string name, int partitions, Guid? id = null) => new(
        name, id ?? Guid.NewGuid(),
        [.. Enumerable.Range(0, partitions).Select(p => new PartitionImage(p, [1], [1], 1, 0, 0))],
        ImmutableDictionary<string, string>.Empty);

    private Guid T => _image.Topic("t")!.Id;

    private GroupCoordinator NewCoordinator() =>
        new(_log, _time, new GroupSettings(ConsumerHeartbeatIntervalMs: 1000, ConsumerSessionTimeoutMs: 10000), () => _image);

    private static ConsumerHeartbeatArgs Join(string memberId, string? instance = null, string? assignor = null, string group = "g") =>
        new(group, memberId, 0, instance, null, 5000, ["t"], null, assignor, [], "client", "/127.0.0.1", 1);

    private static ConsumerHeartbeatArgs Beat(string memberId, int epoch, IReadOnlyList<OwnedTopicPartitions>? owned = null, string? instance = null) =>
        new("g", memberId, epoch, instance, null, -1, null, null, null, owned, "client", "/127.0.0.1", 1);

    private IReadOnlyList<OwnedTopicPartitions> Owned(params int[] partitions) => [new(T, partitions)];

    private static int[] Partitions(ConsumerHeartbeatResult r) => [.. r.Assignment!.All().Select(tp => tp.Partition)];

    [Fact]
    public void SecondMember_GetsPartitionsOnlyAfterTheFirstRevokesThem()
    {
        var c = NewCoordinator();
        var a = c.ConsumerGroupHeartbeat(Join("a"));
        Assert.Equal(ErrorCode.None, a.Error);
        Assert.Equal(1, a.MemberEpoch);
        Assert.Equal(1000, a.HeartbeatIntervalMs);
        Assert.Equal([0, 1, 2, 3], Partitions(a));

        var b = c.ConsumerGroupHeartbeat(Join("b"));
        Assert.Equal(2, b.MemberEpoch);
        Assert.Empty(Partitions(b)); // its target is still owned by a
        Assert.Equal(ConsumerGroupState.Reconciling, c.DescribeConsumerGroups(["g"])[0].State);

        var revoke = c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1, 2, 3)));
        Assert.Equal(1, revoke.MemberEpoch);
        Assert.Equal([0, 1], Partitions(revoke));

        Assert.Empty(c.ConsumerGroupHeartbeat(Beat("b", 2)).Assignment?.All() ?? []);

        var revoked = c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1)));
        Assert.Equal(2, revoked.MemberEpoch);
        Assert.Null(revoked.Assignment);

        var moved = c.ConsumerGroupHeartbeat(Beat("b", 2));
        Assert.Equal([2, 3], Partitions(moved));
        var described = c.DescribeConsumerGroups(["g"])[0];
        Assert.Equal(ConsumerGroupState.Stable, described.State);
        Assert.Equal(2, described.GroupEpoch);
        Assert.Equal(2, described.AssignmentEpoch);
        Assert.Equal("uniform", described.AssignorName);
    }

    [Fact]
    public void BadRequests_GetKafkasErrors()
    {
        var c = NewCoordinator();
        Assert.Equal(ErrorCode.InvalidRequest, c.ConsumerGroupHeartbeat(Join("")).Error);
        Assert.Equal(ErrorCode.InvalidRequest, c.ConsumerGroupHeartbeat(Join("a") with { RebalanceTimeoutMs = -1 }).Error);
        Assert.Equal(ErrorCode.InvalidRequest, c.ConsumerGroupHeartbeat(Join("a") with { OwnedPartitions = Owned(0) }).Error);
        Assert.Equal(ErrorCode.InvalidRequest, c.ConsumerGroupHeartbeat(Join("a") with { SubscribedTopicNames = null }).Error);
        Assert.Equal(ErrorCode.InvalidRequest, c.ConsumerGroupHeartbeat(Beat("a", -3)).Error);
        Assert.Equal(ErrorCode.InvalidRequest, c.ConsumerGroupHeartbeat(Beat("a", -2)).Error);
        Assert.Equal(ErrorCode.UnsupportedAssignor, c.ConsumerGroupHeartbeat(Join("a", assignor: "sticky")).Error);
        Assert.Equal(ErrorCode.InvalidRegularExpression, c.ConsumerGroupHeartbeat(Join("a") with { SubscribedTopicRegex = "t(" }).Error);
        Assert.Equal(ErrorCode.GroupIdNotFound, c.ConsumerGroupHeartbeat(Beat("a", 1)).Error);
        Assert.Equal(ErrorCode.GroupIdNotFound, c.ConsumerGroupHeartbeat(Beat("a", -1)).Error);
        Assert.Empty(_log.Records);

        var v0 = c.ConsumerGroupHeartbeat(Join("") with { Version = 0 });
        Assert.Equal(ErrorCode.None, v0.Error);
        Assert.Equal(22, v0.MemberId!.Length);
        Assert.Equal(ErrorCode.UnknownMemberId, c.ConsumerGroupHeartbeat(Beat("nobody", 1)).Error);
        Assert.Equal(ErrorCode.FencedMemberEpoch, c.ConsumerGroupHeartbeat(Beat(v0.MemberId, 7)).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, c.ConsumerGroupHeartbeat(Beat("nobody", -1)).Error);
    }

    [Fact]
    public void LaggingOneEpoch_IsAccepted_OnlyWithASubsetOfTheAssignment()
    {
        var c = NewCoordinator();
        c.ConsumerGroupHeartbeat(Join("a"));
        c.ConsumerGroupHeartbeat(Join("b"));
        c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1, 2, 3)));
        Assert.Equal(2, c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1))).MemberEpoch);
        // The answer that moved a to epoch 2 was lost: epoch 1 with what it owns still works, more than that is fenced.
        Assert.Equal(ErrorCode.None, c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0))).Error);
        Assert.Equal(ErrorCode.FencedMemberEpoch, c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 3))).Error);
        Assert.Equal(ErrorCode.FencedMemberEpoch, c.ConsumerGroupHeartbeat(Beat("a", 3)).Error);
    }

    [Fact]
    public void LeavingMember_ItsPartitionsGoToTheOthers()
    {
        var c = NewCoordinator();
        c.ConsumerGroupHeartbeat(Join("a"));
        c.ConsumerGroupHeartbeat(Join("b"));
        c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1, 2, 3)));
        c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1)));
        c.ConsumerGroupHeartbeat(Beat("b", 2));

        var left = c.ConsumerGroupHeartbeat(Beat("b", LeaveGroupEpoch));
        Assert.Equal(ErrorCode.None, left.Error);
        Assert.Equal(-1, left.MemberEpoch);
        Assert.Equal(3, c.DescribeConsumerGroups(["g"])[0].GroupEpoch);

        var a = c.ConsumerGroupHeartbeat(Beat("a", 2, Owned(0, 1)));
        Assert.Equal(3, a.MemberEpoch);
        Assert.Equal([0, 1, 2, 3], Partitions(a));
        Assert.Single(c.DescribeConsumerGroups(["g"])[0].Members);
    }

    private const int LeaveGroupEpoch = GroupCoordinator.LeaveGroupMemberEpoch;

    [Fact]
    public void StaticMember_LeavingWithMinusTwo_IsReplacedByItsNextInstance()
    {
        var c = NewCoordinator();
        Assert.Equal([0, 1, 2, 3], Partitions(c.ConsumerGroupHeartbeat(Join("a1", "i1"))));
        Assert.Equal(ErrorCode.UnreleasedInstanceId, c.ConsumerGroupHeartbeat(Join("a2", "i1")).Error);
        Assert.Equal(ErrorCode.FencedInstanceId, c.ConsumerGroupHeartbeat(Beat("a2", 1, instance: "i1")).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, c.ConsumerGroupHeartbeat(Beat("a2", -2, instance: "i9")).Error);

        var left = c.ConsumerGroupHeartbeat(Beat("a1", -2, instance: "i1"));
        Assert.Equal(-2, left.MemberEpoch);
        Assert.Equal(-2, c.DescribeConsumerGroups(["g"])[0].Members.Single().Member.MemberEpoch);

        var replaced = c.ConsumerGroupHeartbeat(Join("a2", "i1"));
        Assert.Equal(ErrorCode.None, replaced.Error);
        Assert.Equal([0, 1, 2, 3], Partitions(replaced));
        Assert.Equal(1, replaced.MemberEpoch); // no rebalance: the group epoch did not move
        var member = Assert.Single(c.DescribeConsumerGroups(["g"])[0].Members);
        Assert.Equal("a2", member.Member.MemberId);
    }

    [Fact]
    public void SilentMember_IsFencedAfterTheSessionTimeout()
    {
        var c = NewCoordinator();
        c.ConsumerGroupHeartbeat(Join("a"));
        c.ConsumerGroupHeartbeat(Join("b"));
        _time.Advance(6000);
        c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1, 2, 3)));
        c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1)));
        _time.Advance(5000);
        c.Tick();
        var described = c.DescribeConsumerGroups(["g"])[0];
        Assert.Equal("a", Assert.Single(described.Members).Member.MemberId);
        Assert.Equal(3, described.GroupEpoch);
        Assert.Equal(ErrorCode.UnknownMemberId, c.ConsumerGroupHeartbeat(Beat("b", 2)).Error);
        _time.Advance(10000);
        c.Tick();
        Assert.Equal(ConsumerGroupState.Empty, c.DescribeConsumerGroups(["g"])[0].State);
    }

    [Fact]
    public void MemberNotRevokingWithinItsRebalanceTimeout_IsFenced()
    {
        var c = NewCoordinator();
        c.ConsumerGroupHeartbeat(Join("a"));
        c.ConsumerGroupHeartbeat(Join("b"));
        c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1, 2, 3)));
        _time.Advance(4000);
        c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1, 2, 3)));
        c.ConsumerGroupHeartbeat(Beat("b", 2));
        _time.Advance(1500);
        c.Tick();
        Assert.Equal("b", Assert.Single(c.DescribeConsumerGroups(["g"])[0].Members).Member.MemberId);
        Assert.Equal([0, 1, 2, 3], Partitions(c.ConsumerGroupHeartbeat(Beat("b", 2, []) with { RebalanceTimeoutMs = 5000, SubscribedTopicNames = ["t"] })));
    }

    [Fact]
    public void State_IsRebuiltFromTheLog_AndMembersMustStillHeartbeat()
    {
        var c = NewCoordinator();
        c.ConsumerGroupHeartbeat(Join("a"));
        c.ConsumerGroupHeartbeat(Join("b", assignor: "range"));
        c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1, 2, 3)));
        var tp = new TopicPartitionKey("t", 0);
        Assert.Equal(ErrorCode.None, c.CommitConfirmed("g", 1, "a", null, [(tp, new CommittedOffset(7, -1, null, 1))], 9));

        var restored = NewCoordinator();
        foreach (var (key, value) in _log.Records)
        {
            restored.Replay(key, value);
        }
        var before = c.DescribeConsumerGroups(["g"])[0];
        var after = restored.DescribeConsumerGroups(["g"])[0];
        Assert.Equal(before.State, after.State);
        Assert.Equal(before.GroupEpoch, after.GroupEpoch);
        Assert.Equal(before.AssignmentEpoch, after.AssignmentEpoch);
        Assert.Equal("range", after.AssignorName);
        foreach (var m in before.Members)
        {
            var r = after.Members.Single(x => x.Member.MemberId == m.Member.MemberId);
            Assert.True(r.Member.SameMetadata(m.Member) && r.Member.SameAssignmentState(m.Member));
            Assert.Equal(m.Target, r.Target);
        }
        Assert.Equal(7, restored.Fetch("g", [tp]).Single().Offset!.Offset);

        // Reconciliation goes on where it stopped; b, silent since the restart, is fenced after its session timeout.
        _time.Advance(5000);
        Assert.Equal(2, restored.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1))).MemberEpoch);
        _time.Advance(5001);
        restored.Tick();
        Assert.Equal("a", Assert.Single(restored.DescribeConsumerGroups(["g"])[0].Members).Member.MemberId);
    }

    [Fact]
    public void OffsetCommitAndFetch_CheckTheMemberEpoch()
    {
        var c = NewCoordinator();
        var tp = new TopicPartitionKey("t", 0);
        IReadOnlyList<(TopicPartitionKey, CommittedOffset)> offsets = [(tp, new CommittedOffset(1, -1, null, 1))];
        Assert.Equal(ErrorCode.GroupIdNotFound, c.CommitConfirmed("g", 3, "a", null, offsets, 9));
        c.ConsumerGroupHeartbeat(Join("a"));
        Assert.Equal(ErrorCode.None, c.CommitConfirmed("g", 1, "a", null, offsets, 9));
        Assert.Equal(ErrorCode.StaleMemberEpoch, c.CommitConfirmed("g", 0, "a", null, offsets, 9));
        Assert.Equal(ErrorCode.UnsupportedVersion, c.CommitConfirmed("g", 1, "a", null, offsets, 8));
        Assert.Equal(ErrorCode.UnknownMemberId, c.CommitConfirmed("g", 1, "x", null, offsets, 9));
        Assert.Equal(ErrorCode.UnknownMemberId, c.CommitConfirmed("g", -1, "", null, offsets, 9));

        Assert.Equal(ErrorCode.None, c.ValidateOffsetFetch("g", "a", 1));
        Assert.Equal(ErrorCode.None, c.ValidateOffsetFetch("g", null, -1));
        Assert.Equal(ErrorCode.StaleMemberEpoch, c.ValidateOffsetFetch("g", "a", 0));
        Assert.Equal(ErrorCode.UnknownMemberId, c.ValidateOffsetFetch("g", "x", 1));

        Assert.Equal([ErrorCode.GroupSubscribedToTopic], c.DeleteOffsets("g", [tp]).PerPartition);
        c.ConsumerGroupHeartbeat(Beat("a", LeaveGroupEpoch));
        Assert.Equal(ErrorCode.None, c.CommitConfirmed("g", -1, "", null, offsets, 9)); // empty group: admin tools may commit
        Assert.Equal([ErrorCode.None], c.DeleteOffsets("g", [tp]).PerPartition);
        Assert.Null(c.Fetch("g", [tp]).Single().Offset);
    }

    [Fact]
    public async Task ClassicAndConsumerGroups_ShareIdsAsKafkaAllows()
    {
        var c = NewCoordinator();
        c.ConsumerGroupHeartbeat(Join("a"));
        var protocols = new[] { new MemberProtocol("range", [1]) };
        var classic = await c.JoinAsync(new JoinRequestArgs("g", "", null, "client", "/h", 10000, 20000, "consumer", protocols, 5));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, classic.Error);
        Assert.Equal(ErrorCode.UnknownMemberId, c.Heartbeat("g", "a", null, 1));
        Assert.Equal(ErrorCode.NonEmptyGroup, c.Delete("g"));
        var listed = Assert.Single(c.List());
        Assert.Equal(("consumer", "consumer", "Stable"), (listed.GroupType, listed.ProtocolType, listed.State));
        Assert.Equal(GroupState.Dead, c.Describe("g").State);

        // An empty consumer group gives way to a classic member, and back.
        c.ConsumerGroupHeartbeat(Beat("a", LeaveGroupEpoch));
        Assert.Equal(ErrorCode.MemberIdRequired, (await c.JoinAsync(new JoinRequestArgs("g", "", null, "client", "/h", 10000, 20000, "consumer", protocols, 5))).Error);
        Assert.Equal("classic", Assert.Single(c.List()).GroupType);
        Assert.Equal(ErrorCode.GroupIdNotFound, c.DescribeConsumerGroups(["g"])[0].Error);
        Assert.Equal(ErrorCode.None, c.ConsumerGroupHeartbeat(Join("b")).Error);
        Assert.Equal("consumer", Assert.Single(c.List()).GroupType);
    }

    [Fact]
    public void EmptyClassicGroupWithOffsets_BecomesAConsumerGroup_KeepingItsOffsets()
    {
        var c = NewCoordinator();
        var tp = new TopicPartitionKey("t", 1);
        Assert.Equal(ErrorCode.None, c.CommitConfirmed("g", -1, "", null, [(tp, new CommittedOffset(5, -1, null, 1))]));
        Assert.Equal(ErrorCode.None, c.ConsumerGroupHeartbeat(Join("a")).Error);
        Assert.Equal(5, c.Fetch("g", [tp]).Single().Offset!.Offset);

        var restored = NewCoordinator();
        _log.Records.ForEach(r => restored.Replay(r.Key, r.Value));
        Assert.Equal(5, restored.Fetch("g", [tp]).Single().Offset!.Offset);
        Assert.Single(restored.DescribeConsumerGroups(["g"])[0].Members);
    }

    [Fact]
    public void NewPartitionsAndTopics_AreAssignedOnTheNextHeartbeat()
    {
        var c = NewCoordinator();
        c.ConsumerGroupHeartbeat(Join("a") with { SubscribedTopicNames = ["t", "later"] });
        var previous = _image;
        _image = _image.WithTopic(Topic("t", 6, T)).WithTopic(Topic("later", 1));
        c.OnImageChanged(previous, _image);
        var next = c.ConsumerGroupHeartbeat(Beat("a", 1, Owned(0, 1, 2, 3)));
        Assert.Equal(2, next.MemberEpoch);
        Assert.Equal(7, next.Assignment!.Count);

        // Nothing relevant changed: no new epoch.
        c.OnImageChanged(_image, _image.WithTopic(Topic("other", 3)));
        Assert.Equal(2, c.ConsumerGroupHeartbeat(Beat("a", 2, Owned(0))).MemberEpoch);
    }

    [Fact]
    public void RegexSubscription_MatchesWholeTopicNames()
    {
        _image = _image.WithTopic(Topic("orders-eu", 2)).WithTopic(Topic("orders-us", 1)).WithTopic(Topic("xorders-eu", 5));
        var c = NewCoordinator();
        var joined = c.ConsumerGroupHeartbeat(Join("a") with { SubscribedTopicNames = [], SubscribedTopicRegex = "orders-.*" });
        Assert.Equal(3, joined.Assignment!.Count);
    }

    [Fact]
    public void EmptyConsumerGroup_CanBeDeleted_WithItsOffsets()
    {
        var c = NewCoordinator();
        c.ConsumerGroupHeartbeat(Join("a"));
        var tp = new TopicPartitionKey("t", 0);
        c.CommitConfirmed("g", 1, "a", null, [(tp, new CommittedOffset(3, -1, null, 1))], 9);
        c.ConsumerGroupHeartbeat(Beat("a", LeaveGroupEpoch));
        Assert.Equal(ErrorCode.None, c.Delete("g"));
        Assert.Empty(c.List());
        var restored = NewCoordinator();
        _log.Records.ForEach(r => restored.Replay(r.Key, r.Value));
        Assert.Empty(restored.List());
    }
}
