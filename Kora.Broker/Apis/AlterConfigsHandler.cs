using Kora.Broker.Configs;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// AlterConfigs v0-2 (the legacy, non-incremental API; flexible from v2). For a topic the given configs
/// replace the topic's whole override set: any override not listed is removed. Duplicate config names
/// or null values fail the resource with INVALID_REQUEST, unknown names or bad values with
/// INVALID_CONFIG, and a resource named twice fails every copy with INVALID_REQUEST. validate_only
/// checks without committing. Brokers have no dynamic configs yet, so any broker config change is
/// refused with INVALID_REQUEST, as Kafka refuses configs that cannot be updated dynamically.
/// </summary>
public sealed class AlterConfigsHandler(ConfigResourceAlterer alterer) : ApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    public override short ApiKey => AlterConfigsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;
    protected override short FirstFlexibleVersion => AlterConfigsRequest.LowestFlexibleVersion;

    protected override async ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var resources = request.Resources
            .Select(r => (r.ResourceType, r.ResourceName, r.Configs.Select(c => new ConfigAlteration(c.Name, ConfigOperation.Set, c.Value)).ToList()))
            .ToList();
        var outcomes = await alterer.AlterAllAsync(context, resources, incremental: false, request.ValidateOnly).ConfigureAwait(false);
        var response = new AlterConfigsResponse();
        for (var i = 0; i < resources.Count; i++)
        {
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
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
