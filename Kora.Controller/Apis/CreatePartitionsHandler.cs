using Kora.Controller.Quorum;
using Kora.Controller.Raft;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>CreatePartitions v0-3 on the active controller: new partitions placed like the topic's first ones, one batch per request.</summary>
public sealed class CreatePartitionsHandler(ControllerRaft raft) : ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override short ApiKey => CreatePartitionsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;
    protected override short FirstFlexibleVersion => CreatePartitionsRequest.LowestFlexibleVersion;

    protected override async ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var topics = request.Topics.Where(t => !duplicates.Contains(t.Name)).ToList();
        var (results, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.Write(image =>
            DecisionSequence.Decide(image, topics, (current, topic) => TopicChanges.CreatePartitions(
                current, topic.Name, topic.Count, topic.Assignments?.Select(a => a.BrokerIds.ToArray()).ToList(), request.ValidateOnly))),
            request.TimeoutMs, context.Aborted).ConfigureAwait(false);
        var response = new CreatePartitionsResponse();
        foreach (var name in duplicates)
        {
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = name,
                ErrorCode = (short)ErrorCode.InvalidRequest,
                ErrorMessage = "Duplicate topic in request.",
            });
        }
        for (var i = 0; i < topics.Count; i++)
        {
            var (code, message) = results is null ? (error, null) : (results[i].Error, results[i].Message);
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = topics[i].Name, ErrorCode = (short)code, ErrorMessage = message });
        }
        return response;
    }
}
