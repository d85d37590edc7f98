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
        var response = new AlterConfigsResponse();
        var duplicates = ConfigResourceAlterer.Duplicates(request.Resources.Select(r => (r.ResourceType, r.ResourceName)));
        foreach (var resource in request.Resources)
        {
            var result = new AlterConfigsResponse.AlterConfigsResourceResponse
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

    private async ValueTask<(ErrorCode, string?)> AlterAsync(RequestContext context, AlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        var configs = resource.Configs.Select(c => new KeyValuePair<string, string?>(c.Name, c.Value)).ToList();
        var type = (ConfigResourceType)resource.ResourceType;
        if (type is ConfigResourceType.Topic or ConfigResourceType.Broker && ConfigOperations.CheckLegacy(configs) is { } malformed)
        {
            return (ErrorCode.InvalidRequest, malformed);
        }
        switch (type)
        {
            case ConfigResourceType.Topic:
                var replacement = configs.ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);
                return await alterer.AlterTopicAsync(context, resource.ResourceName, _ => (replacement, null), validateOnly).ConfigureAwait(false);
            case ConfigResourceType.Broker:
                return alterer.AlterBroker(resource.ResourceName, configs.Select(c => c.Key).ToList());
            case ConfigResourceType.BrokerLogger:
                return (ErrorCode.InvalidRequest, "AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER");
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported resource type: {resource.ResourceType}");
        }
    }
}
