namespace Kora.Protocol.Primitives;

/// <summary>
/// Request header v0-v2. v1 adds the client id (a classic nullable string in every version, even
/// flexible ones); v2 adds tagged fields. Which version a request uses follows from its API's
/// flexible versions.
/// </summary>
public readonly record struct RequestHeader(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId, int Size)
{
    /// <summary>
    /// Kora's header tag for a KIP-996 pre-vote. Kafka 4 carries it as Vote v2's <c>PreVote</c> field; Kora's
    /// schema set stops at Vote v1, so Kora's replicas send it as this tagged field of request header v2,
    /// which every Kafka implementation skips as an unknown tag. Its value is empty: presence is the flag.
    /// </summary>
    public const uint RaftPreVoteTag = 0x4B5200;

    /// <summary>The request carried <see cref="RaftPreVoteTag"/> (only Kora replicas' Vote requests do).</summary>
    public bool RaftPreVote { get; init; }

    public static RequestHeader Read(ref KafkaReader reader, Func<short, short, bool> isFlexible)
    {
        var start = reader.Position;
        var apiKey = reader.ReadInt16();
        var apiVersion = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        // ControlledShutdown v0 is the only request without a client id; Kora does not serve it.
        var clientId = reader.ReadString(compact: false, nullable: true);
        var preVote = false;
        if (isFlexible(apiKey, apiVersion))
        {
            var tags = reader.ReadUnsignedVarInt();
            for (var i = 0u; i < tags; i++)
            {
                preVote |= reader.ReadUnsignedVarInt() == RaftPreVoteTag;
                reader.Skip((int)reader.ReadUnsignedVarInt());
            }
        }
        return new RequestHeader(apiKey, apiVersion, correlationId, clientId, reader.Position - start) { RaftPreVote = preVote };
    }

    public void Write(ref KafkaWriter writer, bool flexible)
    {
        writer.WriteInt16(ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        writer.WriteString(ClientId, compact: false);
        if (flexible && RaftPreVote)
        {
            writer.WriteUnsignedVarInt(1);
            writer.WriteUnsignedVarInt(RaftPreVoteTag);
            writer.WriteUnsignedVarInt(0);
        }
        else if (flexible)
        {
            writer.WriteUnsignedVarInt(0);
        }
    }

    public int ComputeSize(bool flexible) =>
        8 + Sizes.String(ClientId, compact: false) + (!flexible ? 0 : RaftPreVote ? 1 + Sizes.UnsignedVarInt(RaftPreVoteTag) + 1 : 1);
}
