namespace Kora.Protocol.Primitives;

/// <summary>
/// Request header v0-v2. v1 adds the client id (a classic nullable string in every version, even
/// flexible ones); v2 adds tagged fields. Which version a request uses follows from its API's
/// flexible versions.
/// </summary>
public readonly record struct RequestHeader(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId, int Size)
{
    public static RequestHeader Read(ref KafkaReader reader, Func<short, short, bool> isFlexible)
    {
        var start = reader.Position;
        var apiKey = reader.ReadInt16();
        var apiVersion = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        // ControlledShutdown v0 is the only request without a client id; Kora does not serve it.
        var clientId = reader.ReadString(compact: false, nullable: true);
        if (isFlexible(apiKey, apiVersion))
        {
            var tags = reader.ReadUnsignedVarInt();
            for (var i = 0u; i < tags; i++)
            {
                reader.ReadUnsignedVarInt();
                reader.Skip((int)reader.ReadUnsignedVarInt());
            }
        }
        return new RequestHeader(apiKey, apiVersion, correlationId, clientId, reader.Position - start);
    }

    public void Write(ref KafkaWriter writer, bool flexible)
    {
        writer.WriteInt16(ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        writer.WriteString(ClientId, compact: false);
        if (flexible)
        {
            writer.WriteUnsignedVarInt(0);
        }
    }

    public int ComputeSize(bool flexible) => 8 + Sizes.String(ClientId, compact: false) + (flexible ? 1 : 0);
}
