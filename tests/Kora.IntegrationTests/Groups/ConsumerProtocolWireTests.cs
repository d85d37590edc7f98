using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.IntegrationTests.Groups;

/// <summary>ConsumerGroupHeartbeat, ConsumerGroupDescribe and the group APIs around them, on the wire.</summary>
public class ConsumerProtocolWireTests(ConsumerProtocolFixture fixture) : IClassFixture<ConsumerProtocolFixture>
{
    private async Task<(RawKafkaClient Client, string Topic, Guid TopicId)> NewTopicAsync(int partitions)
    {
        var client = await RawKafkaClient.ConnectAsync(fixture.Broker.KafkaEndPoint);
        var topic = $"wire-{Guid.NewGuid():N}";
        var created = await client.SendAsync<CreateTopicsResponse>(19, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = -1 }],
        }, true, true);
        Assert.Equal(0, created.Topics[0].ErrorCode);
        return (client, topic, created.Topics[0].TopicId);
    }

    private static Task<ConsumerGroupHeartbeatResponse> HeartbeatAsync(RawKafkaClient client, short version, ConsumerGroupHeartbeatRequest request) =>
        client.SendAsync<ConsumerGroupHeartbeatResponse>(68, version, request, true, true);

    private static Task<OffsetCommitResponse> CommitAsync(RawKafkaClient client, string group, string memberId, int epoch, string topic) =>
        client.SendAsync<OffsetCommitResponse>(8, 9, new OffsetCommitRequest
        {
            GroupId = group,
            MemberId = memberId,
            GenerationIdOrMemberEpoch = epoch,
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = topic,
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 5 }],
            }],
        }, true, true);

    private static Task<OffsetFetchResponse> FetchAsync(RawKafkaClient client, string group, string memberId, int epoch) =>
        client.SendAsync<OffsetFetchResponse>(9, 9, new OffsetFetchRequest
        {
            Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = group, MemberId = memberId, MemberEpoch = epoch, Topics = null }],
        }, true, true);

    [Fact]
    public async Task ServerGeneratedMember_CommitsAndFetchesAtItsEpoch_AndIsSeenByTheAdminApis()
    {
        var (client, topic, topicId) = await NewTopicAsync(2);
        await using var _ = client;
        var group = $"g-{Guid.NewGuid():N}";

        var joined = await HeartbeatAsync(client, 0, new ConsumerGroupHeartbeatRequest
        {
            GroupId = group,
            MemberId = "",
            MemberEpoch = 0,
            RebalanceTimeoutMs = 30000,
            SubscribedTopicNames = [topic],
            TopicPartitions = [],
        });
        Assert.Equal(0, joined.ErrorCode);
        Assert.False(string.IsNullOrEmpty(joined.MemberId));
        Assert.Equal(1, joined.MemberEpoch);
        Assert.Equal(300, joined.HeartbeatIntervalMs);
        var assigned = Assert.Single(joined.Assignment!.TopicPartitions);
        Assert.Equal(topicId, assigned.TopicId);
        Assert.Equal([0, 1], assigned.Partitions);
        var memberId = joined.MemberId!;

        var stale = await CommitAsync(client, group, memberId, 0, topic);
        Assert.Equal((short)ErrorCode.StaleMemberEpoch, stale.Topics[0].Partitions[0].ErrorCode);
        var committed = await CommitAsync(client, group, memberId, 1, topic);
        Assert.Equal(0, committed.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.StaleMemberEpoch, (await FetchAsync(client, group, memberId, 0)).Groups[0].ErrorCode);
        var fetched = await FetchAsync(client, group, memberId, 1);
        Assert.Equal(0, fetched.Groups[0].ErrorCode);
        Assert.Equal(5, fetched.Groups[0].Topics.Single().Partitions.Single(p => p.PartitionIndex == 0).CommittedOffset);

        var classic = await client.SendAsync<JoinGroupResponse>(11, 5, new JoinGroupRequest
        {
            GroupId = group,
            SessionTimeoutMs = 10000,
            RebalanceTimeoutMs = 10000,
            MemberId = "",
            ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = new byte[] { 0, 1 } }],
        }, false, false);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, classic.ErrorCode);

        var described = await client.SendAsync<ConsumerGroupDescribeResponse>(69, 0, new ConsumerGroupDescribeRequest { GroupIds = [group, "", "missing"] }, true, true);
        var g = described.Groups[0];
        Assert.Equal(0, g.ErrorCode);
        Assert.Equal("Stable", g.GroupState);
        Assert.Equal((1, 1, "uniform"), (g.GroupEpoch, g.AssignmentEpoch, g.AssignorName));
        var member = Assert.Single(g.Members);
        Assert.Equal(memberId, member.MemberId);
        Assert.Equal([topic], member.SubscribedTopicNames);
        Assert.Equal(topic, Assert.Single(member.Assignment.TopicPartitions).TopicName);
        Assert.Equal((short)ErrorCode.InvalidGroupId, described.Groups[1].ErrorCode);
        Assert.Equal((short)ErrorCode.GroupIdNotFound, described.Groups[2].ErrorCode);

        var listed = await client.SendAsync<ListGroupsResponse>(16, 5, new ListGroupsRequest { TypesFilter = ["Consumer"], StatesFilter = ["stable"] }, true, true);
        var mine = Assert.Single(listed.Groups, x => x.GroupId == group);
        Assert.Equal(("consumer", "consumer", "Stable"), (mine.GroupType, mine.ProtocolType, mine.GroupState));
        var classicOnly = await client.SendAsync<ListGroupsResponse>(16, 5, new ListGroupsRequest { TypesFilter = ["classic"] }, true, true);
        Assert.DoesNotContain(classicOnly.Groups, x => x.GroupId == group);
        var old = await client.SendAsync<DescribeGroupsResponse>(15, 5, new DescribeGroupsRequest { Groups = [group] }, true, true);
        Assert.Equal("Dead", old.Groups[0].GroupState);

        var left = await HeartbeatAsync(client, 1, new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = memberId, MemberEpoch = -1 });
        Assert.Equal((0, -1), (left.ErrorCode, left.MemberEpoch));
        var gone = await HeartbeatAsync(client, 1, new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = memberId, MemberEpoch = 1 });
        Assert.Equal((short)ErrorCode.UnknownMemberId, gone.ErrorCode);
        Assert.NotNull(gone.ErrorMessage);
    }

    [Fact]
    public async Task Version1_RequiresAClientMemberId()
    {
        var (client, topic, _) = await NewTopicAsync(1);
        await using var _ = client;
        var response = await HeartbeatAsync(client, 1, new ConsumerGroupHeartbeatRequest
        {
            GroupId = $"g-{Guid.NewGuid():N}",
            MemberId = "",
            MemberEpoch = 0,
            RebalanceTimeoutMs = 30000,
            SubscribedTopicNames = [topic],
            TopicPartitions = [],
        });
        Assert.Equal((short)ErrorCode.InvalidRequest, response.ErrorCode);
        Assert.Equal("MemberId can't be empty.", response.ErrorMessage);
    }
}
