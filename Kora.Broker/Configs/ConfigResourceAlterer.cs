using System.Globalization;
using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Network;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Configs;

/// <summary>
/// What AlterConfigs and IncrementalAlterConfigs share: duplicate-resource detection, the topic path
/// (name check, tenant name mapping, one metadata write of the new overrides) and the broker path
/// (this broker or the cluster default; no dynamic broker configs yet).
/// </summary>
public sealed class ConfigResourceAlterer(TopicAdmin admin, IResourceNames names, IOptions<BrokerOptions> options)
{
    public BrokerOptions Broker => options.Value;

    /// <summary>Resources named more than once in one request; every copy fails with INVALID_REQUEST, as in Kafka.</summary>
    public static HashSet<(sbyte Type, string Name)> Duplicates(IEnumerable<(sbyte Type, string Name)> resources) =>
        resources.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();

    public async ValueTask<(ErrorCode, string?)> AlterTopicAsync(
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

    public (ErrorCode, string?) AlterBroker(string resourceName, IReadOnlyCollection<string> configNames)
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
