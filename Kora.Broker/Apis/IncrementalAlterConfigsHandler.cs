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
        var resources = request.Resources
            .Select(r => (r.ResourceType, r.ResourceName, r.Configs.Select(c => new ConfigAlteration(c.Name, (ConfigOperation)c.ConfigOperation, c.Value)).ToList()))
            .ToList();
        var outcomes = await alterer.AlterAllAsync(context, resources, incremental: true, request.ValidateOnly).ConfigureAwait(false);
        var response = new IncrementalAlterConfigsResponse();
        for (var i = 0; i < resources.Count; i++)
        {
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resources[i].ResourceType,
                ResourceName = resources[i].ResourceName,
                ErrorCode = (short)outcomes[i].Error,
                ErrorMessage = outcomes[i].Message,
            });
        }
        return response;
    }
}
