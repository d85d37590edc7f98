using System.Buffers;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>
/// Kafka's own <c>__consumer_offsets</c> record formats, so Kafka tools can read them: offset commit key v1
/// (group, topic, partition) with value v3 (offset, leader epoch, metadata, commit timestamp), group
/// metadata key v2 (group) with value v3 (members with instance ids). Values v0-v3 are all read back.
/// </summary>
public static class GroupRecordCodec
{
    public const short OffsetKeyVersion = 1;
    public const short GroupKeyVersion = 2;

    public static byte[] OffsetKey(string group, string topic, int partition) => Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(OffsetKeyVersion);
        w.WriteString(group, compact: false);
        w.WriteString(topic, compact: false);
        w.WriteInt32(partition);
    });

    public static byte[] OffsetValue(CommittedOffset offset) => Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(3);
        w.WriteInt64(offset.Offset);
        w.WriteInt32(offset.LeaderEpoch);
        w.WriteString(offset.Metadata ?? "", compact: false);
        w.WriteInt64(offset.CommitTimestampMs);
    });

    public static byte[] GroupKey(string group) => Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(GroupKeyVersion);
        w.WriteString(group, compact: false);
    });

    public static byte[] GroupValue(StoredGroup group) => Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(3);
        w.WriteString(group.ProtocolType, compact: false);
        w.WriteInt32(group.GenerationId);
        w.WriteString(group.ProtocolName, compact: false);
        w.WriteString(group.LeaderId, compact: false);
        w.WriteInt64(group.StateTimestampMs);
        w.WriteArrayLength(group.Members.Count, compact: false);
        foreach (var m in group.Members)
        {
            w.WriteString(m.MemberId, compact: false);
            w.WriteString(m.GroupInstanceId, compact: false);
            w.WriteString(m.ClientId, compact: false);
            w.WriteString(m.ClientHost, compact: false);
            w.WriteInt32(m.RebalanceTimeoutMs);
            w.WriteInt32(m.SessionTimeoutMs);
            w.WriteBytes(m.Subscription, compact: false);
            w.WriteBytes(m.Assignment, compact: false);
        }
    });

    /// <summary>Reads a key: an offset key (version 0 or 1) or a group key (version 2); null for anything else.</summary>
    public static GroupRecordKey? ReadKey(byte[] key)
    {
        var r = new KafkaReader(key);
        var version = r.ReadInt16();
        var group = r.ReadString(compact: false, nullable: false)!;
        return version switch
        {
            0 or 1 => new GroupRecordKey(group, r.ReadString(compact: false, nullable: false), r.ReadInt32()),
            2 => new GroupRecordKey(group, null, -1),
            _ => null,
        };
    }

    public static CommittedOffset ReadOffsetValue(byte[] value)
    {
        var r = new KafkaReader(value);
        var version = r.ReadInt16();
        var offset = r.ReadInt64();
        var epoch = version >= 3 ? r.ReadInt32() : -1;
        var metadata = r.ReadString(compact: false, nullable: true);
        var timestamp = r.ReadInt64();
        return new CommittedOffset(offset, epoch, metadata, timestamp);
    }

    public static StoredGroup ReadGroupValue(byte[] value)
    {
        var r = new KafkaReader(value);
        var version = r.ReadInt16();
        var protocolType = r.ReadString(compact: false, nullable: true) ?? "";
        var generation = r.ReadInt32();
        var protocol = r.ReadString(compact: false, nullable: true);
        var leader = r.ReadString(compact: false, nullable: true);
        var stateTimestamp = version >= 2 ? r.ReadInt64() : -1;
        var count = r.ReadArrayLength(compact: false);
        var members = new List<StoredMember>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            var memberId = r.ReadString(compact: false, nullable: false)!;
            var instanceId = version >= 3 ? r.ReadString(compact: false, nullable: true) : null;
            var clientId = r.ReadString(compact: false, nullable: false)!;
            var clientHost = r.ReadString(compact: false, nullable: false)!;
            var sessionOrRebalance = r.ReadInt32();
            var session = version >= 1 ? r.ReadInt32() : sessionOrRebalance;
            var subscription = r.ReadBytes(compact: false, nullable: true)?.ToArray() ?? [];
            var assignment = r.ReadBytes(compact: false, nullable: true)?.ToArray() ?? [];
            members.Add(new StoredMember(memberId, instanceId, clientId, clientHost, sessionOrRebalance, session, subscription, assignment));
        }
        return new StoredGroup(protocolType, generation, protocol, leader, stateTimestamp, members);
    }

    internal delegate void WriteAction(ref KafkaWriter writer);

    internal static byte[] Encode(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>A decoded key: a group metadata key when <see cref="Topic"/> is null, else an offset key.</summary>
public sealed record GroupRecordKey(string Group, string? Topic, int Partition);
