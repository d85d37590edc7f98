using Kora.Broker.Configs;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

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
public sealed class IncrementalAlterConfigsHandler(ConfigResourceAlterer alterer) : ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    public override short ApiKey => IncrementalAlterConfigsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => IncrementalAlterConfigsRequest.LowestFlexibleVersion;

    protected override async ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        var duplicates = ConfigResourceAlterer.Duplicates(request.Resources.Select(r => (r.ResourceType, r.ResourceName)));
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
        var type = (ConfigResourceType)resource.ResourceType;
        if (type is ConfigResourceType.Topic or ConfigResourceType.Broker && ConfigOperations.CheckIncremental(alterations) is { } malformed)
        {
            return (ErrorCode.InvalidRequest, malformed);
        }
        return type switch
        {
            ConfigResourceType.Topic => await alterer.AlterTopicAsync(
                context,
                resource.ResourceName,
                current => ConfigOperations.ApplyToTopic(current, alterations, alterer.Broker),
                validateOnly).ConfigureAwait(false),
            ConfigResourceType.Broker => alterer.AlterBroker(resource.ResourceName, alterations.Select(a => a.Name).ToList()),
            _ => (ErrorCode.InvalidRequest, $"Unsupported resource type: {resource.ResourceType}"),
        };
    }
}
