using Kora.Controller.Quorum;
using Kora.Controller.Raft;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>
/// DeleteTopics v1-6 on the active controller. v6 names topics by name or id, never both
/// (INVALID_REQUEST); an unknown name is UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID; a
/// name or id repeated within the request gets one INVALID_REQUEST answer. The deletions commit as one batch.
/// </summary>
public sealed class DeleteTopicsHandler(ControllerRaft raft) : ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override short ApiKey => DeleteTopicsRequest.ApiKey;
    public override short MinVersion => 1;
    public override short MaxVersion => 6;
    protected override short FirstFlexibleVersion => DeleteTopicsRequest.LowestFlexibleVersion;

    protected override async ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request)
    {
        var requested = context.Version >= 6
            ? request.Topics.Select(t => (Name: t.Name, Id: t.TopicId)).ToList()
            : request.TopicNames.Select(n => (Name: (string?)n, Id: Guid.Empty)).ToList();
        var counts = requested.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var answers = new List<DeleteTopicsResponse.DeletableTopicResult?>();
        var toDelete = new List<(string? Name, Guid Id)>();
        var answeredDuplicates = new HashSet<(string?, Guid)>();
        foreach (var (name, id) in requested)
        {
            if (name is null && id == Guid.Empty)
            {
                answers.Add(Failed(null, id, ErrorCode.InvalidRequest, "Neither topic name nor id were specified."));
            }
            else if (name is not null && id != Guid.Empty)
            {
                answers.Add(Failed(name, id, ErrorCode.InvalidRequest, "You may not specify both topic name and topic id."));
            }
            else if (counts[(name, id)] > 1)
            {
                if (answeredDuplicates.Add((name, id)))
                {
                    answers.Add(Failed(name, id, ErrorCode.InvalidRequest, name is null ? "Duplicate topic id." : "Duplicate topic name."));
                }
            }
            else
            {
                answers.Add(null);
                toDelete.Add((name, id));
            }
        }
        var (results, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.Write(image =>
            DecisionSequence.Decide(image, toDelete, (current, topic) => TopicChanges.Delete(current, topic.Name, topic.Id == Guid.Empty ? null : topic.Id))),
            request.TimeoutMs, context.Aborted).ConfigureAwait(false);
        var response = new DeleteTopicsResponse();
        var next = 0;
        foreach (var answer in answers)
        {
            if (answer is not null)
            {
                response.Responses.Add(answer);
                continue;
            }
            var (name, id) = toDelete[next];
            if (results is null)
            {
                response.Responses.Add(Failed(name, id, error, null));
            }
            else
            {
                var deleted = results[next];
                response.Responses.Add(deleted.Error == ErrorCode.None
                    ? new DeleteTopicsResponse.DeletableTopicResult { Name = deleted.Name, TopicId = deleted.TopicId, ErrorCode = 0, ErrorMessage = null }
                    : Failed(name, id, deleted.Error, deleted.Message));
            }
            next++;
        }
        return response;
    }

    private static DeleteTopicsResponse.DeletableTopicResult Failed(string? name, Guid id, ErrorCode error, string? message) =>
        new() { Name = name, TopicId = id, ErrorCode = (short)error, ErrorMessage = message };
}
