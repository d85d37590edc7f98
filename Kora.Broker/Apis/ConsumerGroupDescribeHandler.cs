using Kora.Broker.Groups;
using Kora.Broker.Groups.Consumer;
using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// ConsumerGroupDescribe v0 (KIP-848): epochs, assignor, and every member with its subscription, current and
/// target assignment. Classic or unknown groups get GROUP_ID_NOT_FOUND (clients then fall back to DescribeGroups),
/// an empty group id INVALID_GROUP_ID.
/// </summary>
public sealed class ConsumerGroupDescribeHandler(GroupCoordinator coordinator, TopicAdmin admin, IResourceNames names)
    : ApiHandler<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>
{
    /// <summary>READ, DESCRIBE, DELETE as operation bits, as DescribeGroups reports them.</summary>
    private const int GroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

    public override short ApiKey => ConsumerGroupDescribeRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => ConsumerGroupDescribeRequest.LowestFlexibleVersion;

    protected override ValueTask<ConsumerGroupDescribeResponse?> HandleAsync(RequestContext context, ConsumerGroupDescribeRequest request)
    {
        var response = new ConsumerGroupDescribeResponse();
        var image = admin.Image;
        var valid = request.GroupIds.Where(id => id.Length > 0).ToList();
        var described = coordinator.DescribeConsumerGroups([.. valid.Select(id => names.ToInternal(context.Connection, ResourceKind.Group, id))]);
        var next = 0;
        foreach (var id in request.GroupIds)
        {
            if (id.Length == 0)
            {
                response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup { GroupId = id, ErrorCode = (short)ErrorCode.InvalidGroupId, GroupState = "" });
                continue;
            }
            var g = described[next++];
            var group = new ConsumerGroupDescribeResponse.DescribedGroup
            {
                GroupId = id,
                ErrorCode = (short)g.Error,
                ErrorMessage = g.ErrorMessage,
                GroupState = g.Error == ErrorCode.None ? g.State.ToString() : "",
                GroupEpoch = g.GroupEpoch,
                AssignmentEpoch = g.AssignmentEpoch,
                AssignorName = g.AssignorName,
                AuthorizedOperations = request.IncludeAuthorizedOperations && g.Error == ErrorCode.None ? GroupOperations : int.MinValue,
            };
            foreach (var (m, target) in g.Members)
            {
                group.Members.Add(new ConsumerGroupDescribeResponse.Member
                {
                    MemberId = m.MemberId,
                    InstanceId = m.InstanceId,
                    RackId = m.RackId,
                    MemberEpoch = m.MemberEpoch,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    SubscribedTopicNames = [.. m.SubscribedTopicNames.Select(n => names.ToExternal(context.Connection, ResourceKind.Topic, n)).OfType<string>()],
                    SubscribedTopicRegex = m.SubscribedTopicRegex,
                    Assignment = Describe(context, image, m.Assigned),
                    TargetAssignment = Describe(context, image, target),
                });
            }
            response.Groups.Add(group);
        }
        return ValueTask.FromResult<ConsumerGroupDescribeResponse?>(response);
    }

    private ConsumerGroupDescribeResponse.Assignment Describe(RequestContext context, MetadataImage image, Assignment assignment) => new()
    {
        TopicPartitions = [.. assignment.Topics.Select(t => new ConsumerGroupDescribeResponse.TopicPartitions
        {
            TopicId = t.Key,
            TopicName = image.Topic(t.Key) is { } topic ? names.ToExternal(context.Connection, ResourceKind.Topic, topic.Name) ?? "" : "",
            Partitions = [.. t.Value],
        })],
    };
}
