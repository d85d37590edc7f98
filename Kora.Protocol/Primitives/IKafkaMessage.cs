namespace Kora.Protocol.Primitives;

/// <summary>A message with a generated codec: every field knows the versions it is present in.</summary>
public interface IKafkaMessage
{
    void Read(ref KafkaReader reader, short version);
    void Write(ref KafkaWriter writer, short version);
    int ComputeSize(short version);
}
