namespace Kora.Broker.Groups.Consumer;

/// <summary>A member with its target assignment, for <see cref="ConsumerGroupDescription"/>.</summary>
public sealed record DescribedConsumerMember(ConsumerGroupMember Member, Assignment Target);
