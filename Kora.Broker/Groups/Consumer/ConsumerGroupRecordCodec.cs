using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups.Consumer;

/// <summary>
/// Encodes the consumer group's state as records in <c>__consumer_offsets</c>, after Kafka's ConsumerGroupMetadata,
/// ConsumerGroupMemberMetadata, ConsumerGroupTargetAssignmentMetadata/Member and ConsumerGroupCurrentMemberAssignment.
/// Keys start with the record type (as the key version); values start with a value version (0 today) so later
/// layouts can be told apart. A null value is a tombstone.
/// </summary>
public static class ConsumerGroupRecordCodec
{
    private const short ValueVersion = 0;

    public static bool IsConsumerKey(byte[] key) =>
        key.Length >= 2 && Enum.IsDefined((ConsumerGroupRecordType)(short)((key[0] << 8) | key[1]));

    public static byte[] GroupMetadataKey(string groupId) => Key(ConsumerGroupRecordType.GroupMetadata, groupId, null);

    public static byte[] GroupMetadataValue(int groupEpoch, long metadataHash) => GroupRecordCodec.Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(ValueVersion);
        w.WriteInt32(groupEpoch);
        w.WriteInt64(metadataHash);
    });

    public static byte[] MemberMetadataKey(string groupId, string memberId) => Key(ConsumerGroupRecordType.MemberMetadata, groupId, memberId);

    public static byte[] MemberMetadataValue(ConsumerGroupMember m) => GroupRecordCodec.Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(ValueVersion);
        w.WriteString(m.InstanceId, compact: false);
        w.WriteString(m.RackId, compact: false);
        w.WriteString(m.ClientId, compact: false);
        w.WriteString(m.ClientHost, compact: false);
        w.WriteArrayLength(m.SubscribedTopicNames.Count, compact: false);
        foreach (var topic in m.SubscribedTopicNames)
        {
            w.WriteString(topic, compact: false);
        }
        w.WriteString(m.SubscribedTopicRegex, compact: false);
        w.WriteInt32(m.RebalanceTimeoutMs);
        w.WriteString(m.ServerAssignor, compact: false);
    });

    public static byte[] TargetMetadataKey(string groupId) => Key(ConsumerGroupRecordType.TargetAssignmentMetadata, groupId, null);

    public static byte[] TargetMetadataValue(int assignmentEpoch) => GroupRecordCodec.Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(ValueVersion);
        w.WriteInt32(assignmentEpoch);
    });

    public static byte[] TargetMemberKey(string groupId, string memberId) => Key(ConsumerGroupRecordType.TargetAssignmentMember, groupId, memberId);

    public static byte[] TargetMemberValue(Assignment assignment) => GroupRecordCodec.Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(ValueVersion);
        WritePartitions(ref w, assignment);
    });

    public static byte[] CurrentAssignmentKey(string groupId, string memberId) => Key(ConsumerGroupRecordType.CurrentMemberAssignment, groupId, memberId);

    public static byte[] CurrentAssignmentValue(ConsumerGroupMember m) => GroupRecordCodec.Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(ValueVersion);
        w.WriteInt32(m.MemberEpoch);
        w.WriteInt32(m.PreviousMemberEpoch);
        w.WriteInt8((sbyte)m.State);
        WritePartitions(ref w, m.Assigned);
        WritePartitions(ref w, m.PendingRevocation);
    });

    public static ConsumerGroupRecordKey ReadKey(byte[] key)
    {
        var r = new KafkaReader(key);
        var type = (ConsumerGroupRecordType)r.ReadInt16();
        var group = r.ReadString(compact: false, nullable: false)!;
        var member = type is ConsumerGroupRecordType.MemberMetadata or ConsumerGroupRecordType.TargetAssignmentMember or ConsumerGroupRecordType.CurrentMemberAssignment
            ? r.ReadString(compact: false, nullable: false)
            : null;
        return new ConsumerGroupRecordKey(type, group, member);
    }

    public static (int GroupEpoch, long MetadataHash) ReadGroupMetadata(byte[] value)
    {
        var r = Value(value);
        return (r.ReadInt32(), r.ReadInt64());
    }

    /// <summary>The subscription half of a member, on a member with no epoch or assignment.</summary>
    public static ConsumerGroupMember ReadMemberMetadata(string memberId, byte[] value)
    {
        var r = Value(value);
        var instance = r.ReadString(compact: false, nullable: true);
        var rack = r.ReadString(compact: false, nullable: true);
        var clientId = r.ReadString(compact: false, nullable: false)!;
        var clientHost = r.ReadString(compact: false, nullable: false)!;
        var count = r.ReadArrayLength(compact: false);
        var topics = new List<string>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            topics.Add(r.ReadString(compact: false, nullable: false)!);
        }
        return new ConsumerGroupMember(memberId)
        {
            InstanceId = instance,
            RackId = rack,
            ClientId = clientId,
            ClientHost = clientHost,
            SubscribedTopicNames = topics,
            SubscribedTopicRegex = r.ReadString(compact: false, nullable: true),
            RebalanceTimeoutMs = r.ReadInt32(),
            ServerAssignor = r.ReadString(compact: false, nullable: true),
        };
    }

    public static int ReadTargetMetadata(byte[] value) => Value(value).ReadInt32();

    public static Assignment ReadTargetMember(byte[] value)
    {
        var r = Value(value);
        return ReadPartitions(ref r);
    }

    /// <summary>The assignment half of a member, on a member with no subscription.</summary>
    public static ConsumerGroupMember ReadCurrentAssignment(string memberId, byte[] value)
    {
        var r = Value(value);
        var epoch = r.ReadInt32();
        var previous = r.ReadInt32();
        var state = (MemberState)r.ReadInt8();
        var assigned = ReadPartitions(ref r);
        var pending = ReadPartitions(ref r);
        return new ConsumerGroupMember(memberId)
        {
            MemberEpoch = epoch,
            PreviousMemberEpoch = previous,
            State = Enum.IsDefined(state) ? state : throw new KafkaProtocolException($"Unknown member state {(sbyte)state}"),
            Assigned = assigned,
            PendingRevocation = pending,
        };
    }

    private static KafkaReader Value(byte[] value)
    {
        var r = new KafkaReader(value);
        var version = r.ReadInt16();
        if (version != ValueVersion)
        {
            throw new KafkaProtocolException($"Unknown consumer group record value version {version}");
        }
        return r;
    }

    private static byte[] Key(ConsumerGroupRecordType type, string groupId, string? memberId) => GroupRecordCodec.Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16((short)type);
        w.WriteString(groupId, compact: false);
        if (memberId is not null)
        {
            w.WriteString(memberId, compact: false);
        }
    });

    private static void WritePartitions(ref KafkaWriter w, Assignment assignment)
    {
        w.WriteArrayLength(assignment.Topics.Count, compact: false);
        foreach (var (topic, partitions) in assignment.Topics)
        {
            w.WriteUuid(topic);
            w.WriteArrayLength(partitions.Count, compact: false);
            foreach (var p in partitions)
            {
                w.WriteInt32(p);
            }
        }
    }

    private static Assignment ReadPartitions(ref KafkaReader r)
    {
        var topics = r.ReadArrayLength(compact: false);
        var all = new List<(Guid, int)>();
        for (var t = 0; t < topics; t++)
        {
            var topic = r.ReadUuid();
            var count = r.ReadArrayLength(compact: false);
            for (var i = 0; i < count; i++)
            {
                all.Add((topic, r.ReadInt32()));
            }
        }
        return Assignment.From(all);
    }
}
