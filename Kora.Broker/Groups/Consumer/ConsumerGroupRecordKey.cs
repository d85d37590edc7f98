namespace Kora.Broker.Groups.Consumer;

/// <summary>A decoded consumer group record key; <see cref="MemberId"/> is set for the per-member types.</summary>
public sealed record ConsumerGroupRecordKey(ConsumerGroupRecordType Type, string GroupId, string? MemberId);
