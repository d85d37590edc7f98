using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// DeleteTopics v1-6 (flexible from v4). v1-5 name topics by name; v6 by name or by topic id, never
/// both (INVALID_REQUEST), and echoes the name and id of each deleted topic. An unknown name is
/// UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID. As in Kafka's controller, a name or id
/// repeated within one request gets a single INVALID_REQUEST answer and is not deleted. Each deletion is
/// committed to the metadata log before the answer, so the timeout never expires. v5+ carries error messages.
/// </summary>
public sealed class DeleteTopicsHandler(TopicAdmin admin, IResourceNames names) : ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override short ApiKey => DeleteTopicsRequest.ApiKey;
    public override short MinVersion => 1;
    public override short MaxVersion => 6;
    protected override short FirstFlexibleVersion => DeleteTopicsRequest.LowestFlexibleVersion;

    protected override async ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request)
    {
        var response = new DeleteTopicsResponse();
        var requested = context.Version >= 6
            ? request.Topics.Select(t => (Name: t.Name, Id: t.TopicId)).ToList()
            : request.TopicNames.Select(n => (Name: (string?)n, Id: Guid.Empty)).ToList();
        var duplicateNames = requested.Where(t => t.Name is not null && t.Id == Guid.Empty)
            .GroupBy(t => t.Name!, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var duplicateIds = requested.Where(t => t.Name is null && t.Id != Guid.Empty)
            .GroupBy(t => t.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var answeredDuplicates = new HashSet<(string?, Guid)>();
        foreach (var (name, id) in requested)
        {
            if (name is null && id == Guid.Empty)
            {
                response.Responses.Add(Failed(null, id, ErrorCode.InvalidRequest, "Neither topic name nor id were specified."));
            }
            else if (name is not null && id != Guid.Empty)
            {
                response.Responses.Add(Failed(name, id, ErrorCode.InvalidRequest, "You may not specify both topic name and topic id."));
            }
            else if (name is not null && duplicateNames.Contains(name))
            {
                if (answeredDuplicates.Add((name, Guid.Empty)))
                {
                    response.Responses.Add(Failed(name, Guid.Empty, ErrorCode.InvalidRequest, "Duplicate topic name."));
                }
            }
            else if (name is null && duplicateIds.Contains(id))
            {
                if (answeredDuplicates.Add((null, id)))
                {
                    response.Responses.Add(Failed(null, id, ErrorCode.InvalidRequest, "Duplicate topic id."));
                }
            }
            else
            {
                response.Responses.Add(await DeleteAsync(context, name, id).ConfigureAwait(false));
            }
        }
        return response;
    }

    private async ValueTask<DeleteTopicsResponse.DeletableTopicResult> DeleteAsync(RequestContext context, string? name, Guid id)
    {
        TopicChangeResult deleted;
        if (name is not null)
        {
            var internalName = names.ToInternal(context.Connection, ResourceKind.Topic, name);
            deleted = await admin.DeleteTopicAsync(internalName, null, context.Aborted).ConfigureAwait(false);
            return deleted.Error == ErrorCode.None
                ? new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = deleted.TopicId, ErrorCode = 0, ErrorMessage = null }
                : Failed(name, Guid.Empty, deleted.Error, deleted.Message);
        }
        // By id: the topic must be visible to this client, or it does not exist as far as the client knows.
        if (admin.Image.Topic(id) is not { } topic || names.ToExternal(context.Connection, ResourceKind.Topic, topic.Name) is not { } visible)
        {
            return Failed(null, id, ErrorCode.UnknownTopicId, "This server does not host this topic ID.");
        }
        deleted = await admin.DeleteTopicAsync(null, id, context.Aborted).ConfigureAwait(false);
        return deleted.Error == ErrorCode.None
            ? new DeleteTopicsResponse.DeletableTopicResult { Name = visible, TopicId = id, ErrorCode = 0, ErrorMessage = null }
            : Failed(null, id, deleted.Error, deleted.Message);
    }

    private static DeleteTopicsResponse.DeletableTopicResult Failed(string? name, Guid id, ErrorCode error, string? message) =>
        new() { Name = name, TopicId = id, ErrorCode = (short)error, ErrorMessage = message };
}
