using System.Globalization;
using Kora.Broker.Configs;
using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// DescribeConfigs v1-4 for topics and brokers. A topic resource lists every topic config with its
/// effective value, the override or broker setting it comes from, and (when asked, v1+) its synonyms;
/// v3+ adds each config's type, and its documentation when asked; flexible from v4. A broker resource
/// named by this broker's node id lists its static configs (read-only); an empty name lists the
/// cluster-wide dynamic defaults. ConfigurationKeys null or empty means every config. Other broker ids
/// and other resource types fail that resource with INVALID_REQUEST, an unknown topic with
/// UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
public sealed class DescribeConfigsHandler(TopicAdmin admin, IResourceNames names, IOptions<BrokerOptions> options) : ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    private readonly BrokerOptions _options = options.Value;

    public override short ApiKey => DescribeConfigsRequest.ApiKey;
    public override short MinVersion => 1;
    public override short MaxVersion => 4;
    protected override short FirstFlexibleVersion => DescribeConfigsRequest.LowestFlexibleVersion;

    protected override ValueTask<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        var image = admin.Image;
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorMessage = null,
            };
            response.Results.Add(result);
            var (error, message, configs) = Describe(context, image, resource);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
            if (configs is null)
            {
                continue;
            }
            foreach (var config in configs)
            {
                result.Configs.Add(ToResponse(config, request.IncludeSynonyms, request.IncludeDocumentation));
            }
        }
        return ValueTask.FromResult<DescribeConfigsResponse?>(response);
    }

    private (ErrorCode Error, string? Message, List<DescribedConfig>? Configs) Describe(RequestContext context, MetadataImage image, DescribeConfigsRequest.DescribeConfigsResource resource)
    {
        var keys = resource.ConfigurationKeys;
        switch ((ConfigResourceType)resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(resource.ResourceName) is { } invalid)
                {
                    return (ErrorCode.InvalidTopicException, invalid, null);
                }
                var name = names.ToInternal(context.Connection, ResourceKind.Topic, resource.ResourceName);
                return image.Topic(name) is { } topic
                    ? (ErrorCode.None, null, ConfigDescriptions.Topic(topic.Configs, _options, keys))
                    : (ErrorCode.UnknownTopicOrPartition, $"Topic {resource.ResourceName} does not exist.", null);
            case ConfigResourceType.Broker:
                if (resource.ResourceName.Length == 0)
                {
                    return (ErrorCode.None, null, ConfigDescriptions.ClusterDefaults(image.BrokerConfigs, keys));
                }
                if (!int.TryParse(resource.ResourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var brokerId))
                {
                    return (ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {resource.ResourceName}", null);
                }
                return brokerId == _options.NodeId
                    ? (ErrorCode.None, null, ConfigDescriptions.Broker(_options, keys, image.PerBrokerConfigs.GetValueOrDefault(brokerId), image.BrokerConfigs))
                    : (ErrorCode.InvalidRequest, $"Unexpected broker id, expected {_options.NodeId} or empty string, but received {resource.ResourceName}", null);
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported resource type: {resource.ResourceType}", null);
        }
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult ToResponse(DescribedConfig config, bool includeSynonyms, bool includeDocumentation) => new()
    {
        Name = config.Name,
        Value = config.IsSensitive ? null : config.Value,
        ReadOnly = config.ReadOnly,
        IsDefault = config.Source == ConfigSource.DefaultConfig,
        ConfigSource = (sbyte)config.Source,
        IsSensitive = config.IsSensitive,
        Synonyms = includeSynonyms
            ? [.. config.Synonyms.Select(s => new DescribeConfigsResponse.DescribeConfigsSynonym { Name = s.Name, Value = config.IsSensitive ? null : s.Value, Source = (sbyte)s.Source })]
            : [],
        ConfigType = (sbyte)config.Type,
        Documentation = includeDocumentation ? config.Documentation : null,
    };
}
