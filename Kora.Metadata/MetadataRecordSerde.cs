using System.Buffers;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Metadata;

/// <summary>
/// KRaft's framing of a metadata record in a record value: frame version, record type (the schema's
/// api key) and record version as unsigned varints, then the record in its flexible encoding.
/// </summary>
public static class MetadataRecordSerde
{
    private const uint FrameVersion = 1;

    public static byte[] Serialize(IKafkaMessage record)
    {
        var (type, version) = TypeOf(record);
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        writer.WriteUnsignedVarInt(FrameVersion);
        writer.WriteUnsignedVarInt((uint)type);
        writer.WriteUnsignedVarInt((uint)version);
        record.Write(ref writer, version);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static IKafkaMessage Deserialize(ReadOnlyMemory<byte> value)
    {
        var reader = new KafkaReader(value);
        var frame = reader.ReadUnsignedVarInt();
        if (frame != FrameVersion)
        {
            throw new KafkaProtocolException($"Unknown metadata frame version {frame}.");
        }
        var type = (short)reader.ReadUnsignedVarInt();
        var version = (short)reader.ReadUnsignedVarInt();
        IKafkaMessage record = type switch
        {
            RegisterBrokerRecord.ApiKey => new RegisterBrokerRecord(),
            TopicRecord.ApiKey => new TopicRecord(),
            PartitionRecord.ApiKey => new PartitionRecord(),
            ConfigRecord.ApiKey => new ConfigRecord(),
            PartitionChangeRecord.ApiKey => new PartitionChangeRecord(),
            FenceBrokerRecord.ApiKey => new FenceBrokerRecord(),
            UnfenceBrokerRecord.ApiKey => new UnfenceBrokerRecord(),
            RemoveTopicRecord.ApiKey => new RemoveTopicRecord(),
            NoOpRecord.ApiKey => new NoOpRecord(),
            ProducerIdsRecord.ApiKey => new ProducerIdsRecord(),
            BrokerRegistrationChangeRecord.ApiKey => new BrokerRegistrationChangeRecord(),
            UnregisterBrokerRecord.ApiKey => new UnregisterBrokerRecord(),
            _ => throw new KafkaProtocolException($"Metadata record type {type} is not known to Kora."),
        };
        record.Read(ref reader, version);
        return record;
    }

    private static (short Type, short Version) TypeOf(IKafkaMessage record) => record switch
    {
        RegisterBrokerRecord => (RegisterBrokerRecord.ApiKey, RegisterBrokerRecord.HighestSupportedVersion),
        TopicRecord => (TopicRecord.ApiKey, TopicRecord.HighestSupportedVersion),
        PartitionRecord => (PartitionRecord.ApiKey, PartitionRecord.HighestSupportedVersion),
        ConfigRecord => (ConfigRecord.ApiKey, ConfigRecord.HighestSupportedVersion),
        PartitionChangeRecord => (PartitionChangeRecord.ApiKey, PartitionChangeRecord.HighestSupportedVersion),
        FenceBrokerRecord => (FenceBrokerRecord.ApiKey, FenceBrokerRecord.HighestSupportedVersion),
        UnfenceBrokerRecord => (UnfenceBrokerRecord.ApiKey, UnfenceBrokerRecord.HighestSupportedVersion),
        RemoveTopicRecord => (RemoveTopicRecord.ApiKey, RemoveTopicRecord.HighestSupportedVersion),
        NoOpRecord => (NoOpRecord.ApiKey, NoOpRecord.HighestSupportedVersion),
        ProducerIdsRecord => (ProducerIdsRecord.ApiKey, ProducerIdsRecord.HighestSupportedVersion),
        BrokerRegistrationChangeRecord => (BrokerRegistrationChangeRecord.ApiKey, BrokerRegistrationChangeRecord.HighestSupportedVersion),
        UnregisterBrokerRecord => (UnregisterBrokerRecord.ApiKey, UnregisterBrokerRecord.HighestSupportedVersion),
        _ => throw new ArgumentException($"{record.GetType().Name} is not a metadata record.", nameof(record)),
    };
}
