namespace Kora.Broker.Groups.Consumer;

/// <summary>
/// The key versions (record types) of consumer group records in <c>__consumer_offsets</c>, numbered as Kafka
/// numbers its own, so readers that know only classic records (key versions 0-2) skip them.
/// </summary>
public enum ConsumerGroupRecordType : short
{
    GroupMetadata = 3,
    MemberMetadata = 5,
    TargetAssignmentMetadata = 6,
    TargetAssignmentMember = 7,
    CurrentMemberAssignment = 8,
}
