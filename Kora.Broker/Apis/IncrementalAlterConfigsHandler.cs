using Kora.Broker.Configs;
using Kora.Broker.Metadata;
using Kora.Broker.Network;
using Kora.Broker.Tenancy;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// IncrementalAlterConfigs v0-1 (flexible from v1). Each config of a topic resource carries an
/// operation: SET (0) sets the override, DELETE (1) removes it, APPEND (2) and SUBTRACT (3) add or
/// remove items of a LIST config starting from its effective value (INVALID_CONFIG on other types).
/// Duplicate config names, null values (except for DELETE) and unknown operations fail the resource
/// with INVALID_REQUEST, as does a resource named twice (every copy). The resulting overrides are
/// validated as a whole (INVALID_CONFIG) and committed in one metadata write unless validate_only.
/// Broker resources: an empty change succeeds; any real change is refused with INVALID_REQUEST, since
/// dynamic broker configs do not exist yet.
/// </summary>
public sealed class IncrementalAlterConfigsHandler(TopicAdmin admin, IResourceNames names, IOptions<BrokerOptions> options) : ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    private readonly BrokerOptions _options = options.Value;

    public override short ApiKey => IncrementalAlterConfigsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => IncrementalAlterConfigsRequest.LowestFlexibleVersion;

    protected override async ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        var duplicates = request.Resources
            .GroupBy(r => (r.ResourceType, r.ResourceName))
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToHashSet();
        foreach (var resource in request.Resources)
        {
            var result = new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            };
            response.Responses.Add(result);
            var (error, message) = duplicates.Contains((resource.ResourceType, resource.ResourceName))
                ? (ErrorCode.InvalidRequest, "Duplicate resource.")
                : await AlterAsync(context, resource, request.ValidateOnly).ConfigureAwait(false);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }
        return response;
    }

    private async ValueTask<(ErrorCode, string?)> AlterAsync(RequestContext context, IncrementalAlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        var alterations = resource.Configs.Select(c => new ConfigAlteration(c.Name, (ConfigOperation)c.ConfigOperation, c.Value)).ToList();
        switch ((ConfigResourceType)resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                if (ConfigOperations.CheckIncremental(alterations) is { } malformed)
                {
                    return (ErrorCode.InvalidRequest, malformed);
                }
                if (TopicNames.Validate(resource.ResourceName) is { } invalid)
                {
                    return (ErrorCode.InvalidTopicException, invalid);
                }
                var name = names.ToInternal(context.Connection, ResourceKind.Topic, resource.ResourceName);
                var changed = await admin.AlterTopicConfigsAsync(
                    name,
                    current => ConfigOperations.ApplyToTopic(current, alterations, _options),
                    validateOnly,
                    context.Aborted).ConfigureAwait(false);
                return changed.Error == ErrorCode.UnknownTopicOrPartition
                    ? (changed.Error, $"Topic {resource.ResourceName} does not exist.")
                    : (changed.Error, changed.Message);
            case ConfigResourceType.Broker:
                if (ConfigOperations.CheckIncremental(alterations) is { } malformedBroker)
                {
                    return (ErrorCode.InvalidRequest, malformedBroker);
                }
                if (AlterConfigsHandler.BrokerResourceProblem(resource.ResourceName, _options.NodeId) is { } wrongBroker)
                {
                    return (ErrorCode.InvalidRequest, wrongBroker);
                }
                return alterations.Count == 0
                    ? (ErrorCode.None, null)
                    : (ErrorCode.InvalidRequest, $"Cannot update these configs dynamically: {string.Join(", ", alterations.Select(a => a.Name))}. Kora does not support dynamic broker configs yet.");
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported resource type: {resource.ResourceType}");
        }
    }
}
