using System.Globalization;
using Kora.Broker.Configs;
using Kora.Broker.Metadata;
using Kora.Broker.Network;
using Kora.Broker.Tenancy;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// AlterConfigs v0-2 (the legacy, non-incremental API; flexible from v2). For a topic the given configs
/// replace the topic's whole override set: any override not listed is removed. Duplicate config names
/// or null values fail the resource with INVALID_REQUEST, unknown names or bad values with
/// INVALID_CONFIG, and a resource named twice fails every copy with INVALID_REQUEST. validate_only
/// checks without committing. Brokers have no dynamic configs yet, so any broker config change is
/// refused with INVALID_REQUEST, as Kafka refuses configs that cannot be updated dynamically.
/// </summary>
public sealed class AlterConfigsHandler(TopicAdmin admin, IResourceNames names, IOptions<BrokerOptions> options) : ApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    private readonly BrokerOptions _options = options.Value;

    public override short ApiKey => AlterConfigsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;
    protected override short FirstFlexibleVersion => AlterConfigsRequest.LowestFlexibleVersion;

    protected override async ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        var duplicates = request.Resources
            .GroupBy(r => (r.ResourceType, r.ResourceName))
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToHashSet();
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
        switch ((ConfigResourceType)resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                if (ConfigOperations.CheckLegacy(configs) is { } malformed)
                {
                    return (ErrorCode.InvalidRequest, malformed);
                }
                if (TopicNames.Validate(resource.ResourceName) is { } invalid)
                {
                    return (ErrorCode.InvalidTopicException, invalid);
                }
                var name = names.ToInternal(context.Connection, ResourceKind.Topic, resource.ResourceName);
                var replacement = configs.ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);
                var changed = await admin.AlterTopicConfigsAsync(name, _ => (replacement, null), validateOnly, context.Aborted).ConfigureAwait(false);
                return changed.Error == ErrorCode.UnknownTopicOrPartition
                    ? (changed.Error, $"Topic {resource.ResourceName} does not exist.")
                    : (changed.Error, changed.Message);
            case ConfigResourceType.Broker:
                if (ConfigOperations.CheckLegacy(configs) is { } malformedBroker)
                {
                    return (ErrorCode.InvalidRequest, malformedBroker);
                }
                if (BrokerResourceProblem(resource.ResourceName, _options.NodeId) is { } wrongBroker)
                {
                    return (ErrorCode.InvalidRequest, wrongBroker);
                }
                return configs.Count == 0
                    ? (ErrorCode.None, null)
                    : (ErrorCode.InvalidRequest, $"Cannot update these configs dynamically: {string.Join(", ", configs.Select(c => c.Key))}. Kora does not support dynamic broker configs yet.");
            case ConfigResourceType.BrokerLogger:
                return (ErrorCode.InvalidRequest, "AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER");
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported resource type: {resource.ResourceType}");
        }
    }

    /// <summary>Null when <paramref name="resourceName"/> names this broker or the cluster default (empty); otherwise why not.</summary>
    internal static string? BrokerResourceProblem(string resourceName, int nodeId)
    {
        if (resourceName.Length == 0)
        {
            return null;
        }
        if (!int.TryParse(resourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            return $"Broker id must be an integer, but it is: {resourceName}";
        }
        return id == nodeId ? null : $"Unexpected broker id, expected {nodeId}, but received {resourceName}";
    }
}
