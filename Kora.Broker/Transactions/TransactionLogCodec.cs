using System.Buffers;
using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>
/// Kafka's <c>__transaction_state</c> record layout, so the bytes match what a Kafka broker writes: key
/// (version 0, transactional id) and TransactionLogValue version 0, the version Kafka writes for clients
/// before transaction version 2. Version 1 (flexible, with tagged fields) is read back too.
/// </summary>
public static class TransactionLogCodec
{
    public const short KeyVersion = 0;
    public const short ValueVersion = 0;

    public static byte[] Key(string transactionalId) => Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(KeyVersion);
        w.WriteString(transactionalId, compact: false);
    });

    /// <summary>The value of a transit; an Empty state carries a null partition list, as Kafka writes it.</summary>
    public static byte[] Value(TxnTransit transit) => Encode((ref KafkaWriter w) =>
    {
        w.WriteInt16(ValueVersion);
        w.WriteInt64(transit.ProducerId);
        w.WriteInt16(transit.ProducerEpoch);
        w.WriteInt32(transit.TimeoutMs);
        w.WriteInt8((sbyte)transit.State);
        if (transit.State == TransactionState.Empty)
        {
            w.WriteArrayLength(-1, compact: false);
        }
        else
        {
            var byTopic = transit.Partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            w.WriteArrayLength(byTopic.Count, compact: false);
            foreach (var topic in byTopic)
            {
                w.WriteString(topic.Key, compact: false);
                var partitions = topic.Select(p => p.Partition).Order().ToList();
                w.WriteArrayLength(partitions.Count, compact: false);
                foreach (var p in partitions)
                {
                    w.WriteInt32(p);
                }
            }
        }
        w.WriteInt64(transit.LastUpdateTimestampMs);
        w.WriteInt64(transit.StartTimestampMs);
    });

    /// <summary>The transactional id of a key; null for a key version this broker does not know.</summary>
    public static string? ReadKey(ReadOnlyMemory<byte> key)
    {
        var r = new KafkaReader(key);
        return r.ReadInt16() == KeyVersion ? r.ReadString(compact: false, nullable: false) : null;
    }

    /// <summary>Decodes value version 0 or 1; throws <see cref="KafkaProtocolException"/> for anything else or a corrupt record.</summary>
    public static TxnTransit ReadValue(ReadOnlyMemory<byte> value)
    {
        var r = new KafkaReader(value);
        var version = r.ReadInt16();
        if (version is < 0 or > 1)
        {
            throw new KafkaProtocolException($"Unknown transaction log value version {version}.");
        }
        var flexible = version >= 1;
        var producerId = r.ReadInt64();
        var epoch = r.ReadInt16();
        var timeout = r.ReadInt32();
        var status = (byte)r.ReadInt8();
        if (!TransactionStates.IsDefined(status))
        {
            throw new KafkaProtocolException($"Unknown transaction status {status}.");
        }
        var state = (TransactionState)status;
        var partitions = new HashSet<TopicPartitionKey>();
        var topics = r.ReadArrayLength(flexible);
        for (var t = 0; t < topics; t++)
        {
            var topic = r.ReadString(flexible, nullable: false)!;
            var count = r.ReadArrayLength(flexible);
            for (var i = 0; i < count; i++)
            {
                partitions.Add(new TopicPartitionKey(topic, r.ReadInt32()));
            }
            if (flexible)
            {
                SkipTaggedFields(ref r);
            }
        }
        var lastUpdate = r.ReadInt64();
        var start = r.ReadInt64();
        var previousProducerId = TransactionMetadata.NoProducerId;
        if (flexible)
        {
            var tags = r.ReadUnsignedVarInt();
            for (var i = 0u; i < tags; i++)
            {
                var tag = r.ReadUnsignedVarInt();
                var size = (int)r.ReadUnsignedVarInt();
                if (tag == 0 && size == 8)
                {
                    previousProducerId = r.ReadInt64();
                }
                else
                {
                    r.Skip(size);
                }
            }
        }
        if (state == TransactionState.Empty)
        {
            partitions.Clear();
        }
        return new TxnTransit(producerId, previousProducerId, epoch, TransactionMetadata.NoProducerEpoch, timeout, state, partitions, start, lastUpdate);
    }

    private static void SkipTaggedFields(ref KafkaReader r)
    {
        var tags = r.ReadUnsignedVarInt();
        for (var i = 0u; i < tags; i++)
        {
            r.ReadUnsignedVarInt();
            r.Skip((int)r.ReadUnsignedVarInt());
        }
    }

    private delegate void WriteAction(ref KafkaWriter writer);

    private static byte[] Encode(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
