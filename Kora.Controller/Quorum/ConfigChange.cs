using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Quorum;

/// <summary>
/// One resource of an AlterConfigs or IncrementalAlterConfigs request, already checked for its shape:
/// decided on the controller's image into ConfigRecords, topic or broker alike.
/// </summary>
public sealed record ConfigChange(sbyte ResourceType, string ResourceName, IReadOnlyList<ConfigAlteration> Alterations, bool Incremental)
{
    public MetadataDecision<(ErrorCode Error, string? Message)> Decide(MetadataImage image, ITopicConfigDefaults defaults, bool validateOnly)
    {
        switch ((ConfigResourceType)ResourceType)
        {
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(ResourceName) is { } invalid)
                {
                    return new([], (ErrorCode.InvalidTopicException, invalid));
                }
                var topic = TopicChanges.AlterTopicConfigs(image, ResourceName, current => Incremental
                    ? ConfigOperations.ApplyToTopic(current, Alterations, defaults)
                    : (Alterations.ToDictionary(a => a.Name, a => a.Value!, StringComparer.Ordinal), null), validateOnly);
                var message = topic.Result.Error == ErrorCode.UnknownTopicOrPartition ? $"Topic {ResourceName} does not exist." : topic.Result.Message;
                return new(topic.Records, (topic.Result.Error, message));
            case ConfigResourceType.Broker:
                if (Alterations.FirstOrDefault(a => a.Operation is ConfigOperation.Append or ConfigOperation.Subtract) is { Name: not null } listOperation)
                {
                    return new([], (ErrorCode.InvalidConfig, $"Can't {listOperation.Operation.ToString().ToUpperInvariant()} to key {listOperation.Name} because its type is not LIST."));
                }
                var set = Alterations.Select(a => new KeyValuePair<string, string?>(a.Name, a.Operation == ConfigOperation.Delete ? null : a.Value)).ToList();
                return BrokerConfigChanges.Alter(image, ResourceName, set, replace: !Incremental, validateOnly);
            default:
                return new([], (ErrorCode.InvalidRequest, $"Unsupported resource type: {ResourceType}"));
        }
    }
}
