using System.Globalization;
using Kora.Broker.Cluster;
using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Network;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Configs;

/// <summary>
/// What AlterConfigs and IncrementalAlterConfigs share: duplicate-resource detection, the topic path
/// (name check, tenant name mapping, one metadata write of the new overrides) and the broker path
/// (this broker or the cluster default). With a controller quorum, dynamic broker configs (the replication
/// throttle rates) are forwarded to the active controller as Kafka's brokers forward them (KIP-590); a single
/// node has none.
/// </summary>
public sealed class ConfigResourceAlterer(TopicAdmin admin, IResourceNames names, IOptions<BrokerOptions> options, ForwardingAdmin? forward = null)
{
    public BrokerOptions Broker => options.Value;

    /// <summary>Resources named more than once in one request; every copy fails with INVALID_REQUEST, as in Kafka.</summary>
    private static HashSet<(sbyte Type, string Name)> Duplicates(IEnumerable<(sbyte Type, string Name)> resources) =>
        resources.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();

    /// <summary>
    /// Alters each resource in turn; <paramref name="incremental"/> picks IncrementalAlterConfigs' rules (operations
    /// applied to the current overrides) over AlterConfigs' (the given configs replace them all).
    /// </summary>
    public async ValueTask<List<(ErrorCode Error, string? Message)>> AlterAllAsync(
        RequestContext context,
        IReadOnlyList<(sbyte Type, string Name, List<ConfigAlteration> Alterations)> resources,
        bool incremental,
        bool validateOnly)
    {
        var duplicates = Duplicates(resources.Select(r => (r.Type, r.Name)));
        var outcomes = new List<(ErrorCode, string?)>(resources.Count);
        foreach (var (type, name, alterations) in resources)
        {
            outcomes.Add(duplicates.Contains((type, name))
                ? (ErrorCode.InvalidRequest, "Duplicate resource.")
                : await AlterAsync(context, (ConfigResourceType)type, name, alterations, incremental, validateOnly).ConfigureAwait(false));
        }
        return outcomes;
    }

    private async ValueTask<(ErrorCode, string?)> AlterAsync(
        RequestContext context, ConfigResourceType type, string name, List<ConfigAlteration> alterations, bool incremental, bool validateOnly)
    {
        if (type is ConfigResourceType.Topic or ConfigResourceType.Broker)
        {
            var malformed = incremental
                ? ConfigOperations.CheckIncremental(alterations)
                : ConfigOperations.CheckLegacy(alterations.Select(a => new KeyValuePair<string, string?>(a.Name, a.Value)).ToList());
            if (malformed is not null)
            {
                return (ErrorCode.InvalidRequest, malformed);
            }
        }
        switch (type)
        {
            case ConfigResourceType.Topic when incremental:
                return await AlterTopicAsync(context, name, current => ConfigOperations.ApplyToTopic(current, alterations, Broker), validateOnly).ConfigureAwait(false);
            case ConfigResourceType.Topic:
                var replacement = alterations.ToDictionary(a => a.Name, a => a.Value!, StringComparer.Ordinal);
                return await AlterTopicAsync(context, name, _ => (replacement, null), validateOnly).ConfigureAwait(false);
            case ConfigResourceType.Broker when forward is not null && alterations.Count > 0:
                return await ForwardBrokerAsync(context, name, alterations, incremental, validateOnly).ConfigureAwait(false);
            case ConfigResourceType.Broker:
                return AlterBroker(name, alterations.Select(a => a.Name).ToList());
            case ConfigResourceType.BrokerLogger when !incremental:
                return (ErrorCode.InvalidRequest, "AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER");
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported resource type: {(sbyte)type}");
        }
    }

    private async ValueTask<(ErrorCode, string?)> AlterTopicAsync(
        RequestContext context,
        string topic,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Overrides, string? Error)> change,
        bool validateOnly)
    {
        if (TopicNames.Validate(topic) is { } invalid)
        {
            return (ErrorCode.InvalidTopicException, invalid);
        }
        var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic);
        var changed = await admin.AlterTopicConfigsAsync(name, change, validateOnly, context.Aborted).ConfigureAwait(false);
        return changed.Error == ErrorCode.UnknownTopicOrPartition
            ? (changed.Error, $"Topic {topic} does not exist.")
            : (changed.Error, changed.Message);
    }

    /// <summary>The controller validates and stores the change; the answer comes once this broker's image has it.</summary>
    private async ValueTask<(ErrorCode, string?)> ForwardBrokerAsync(
        RequestContext context, string name, List<ConfigAlteration> alterations, bool incremental, bool validateOnly)
    {
        try
        {
            if (incremental)
            {
                var request = new IncrementalAlterConfigsRequest
                {
                    ValidateOnly = validateOnly,
                    Resources = [new IncrementalAlterConfigsRequest.AlterConfigsResource
                    {
                        ResourceType = (sbyte)ConfigResourceType.Broker,
                        ResourceName = name,
                        Configs = alterations.Select(a => new IncrementalAlterConfigsRequest.AlterableConfig { Name = a.Name, ConfigOperation = (sbyte)a.Operation, Value = a.Value }).ToList(),
                    }],
                };
                var response = await forward!.ForwardAsync<IncrementalAlterConfigsResponse>(IncrementalAlterConfigsRequest.ApiKey, 1, flexible: true, request,
                    r => r.Responses.Any(x => x.ErrorCode == (short)ErrorCode.NotController),
                    r => !validateOnly && r.Responses.Any(x => x.ErrorCode == 0), context.Aborted).ConfigureAwait(false);
                var result = response.Responses.Single();
                return ((ErrorCode)result.ErrorCode, result.ErrorMessage);
            }
            var legacy = new AlterConfigsRequest
            {
                ValidateOnly = validateOnly,
                Resources = [new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)ConfigResourceType.Broker,
                    ResourceName = name,
                    Configs = alterations.Select(a => new AlterConfigsRequest.AlterableConfig { Name = a.Name, Value = a.Value }).ToList(),
                }],
            };
            var answer = await forward!.ForwardAsync<AlterConfigsResponse>(AlterConfigsRequest.ApiKey, 2, flexible: true, legacy,
                r => r.Responses.Any(x => x.ErrorCode == (short)ErrorCode.NotController),
                r => !validateOnly && r.Responses.Any(x => x.ErrorCode == 0), context.Aborted).ConfigureAwait(false);
            var single = answer.Responses.Single();
            return ((ErrorCode)single.ErrorCode, single.ErrorMessage);
        }
        catch (TimeoutException e)
        {
            return (ErrorCode.RequestTimedOut, e.Message);
        }
    }

    private (ErrorCode, string?) AlterBroker(string resourceName, IReadOnlyCollection<string> configNames)
    {
        if (BrokerResourceProblem(resourceName, options.Value.NodeId) is { } wrongBroker)
        {
            return (ErrorCode.InvalidRequest, wrongBroker);
        }
        return configNames.Count == 0
            ? (ErrorCode.None, null)
            : (ErrorCode.InvalidRequest, $"Cannot update these configs dynamically: {string.Join(", ", configNames)}. Kora does not support dynamic broker configs yet.");
    }

    /// <summary>Null when <paramref name="resourceName"/> names this broker or the cluster default (empty); otherwise why not.</summary>
    public static string? BrokerResourceProblem(string resourceName, int nodeId)
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
