using System.Buffers;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.Messages;

namespace Kora.Raft.Network;

/// <summary>
/// The KRaft RPCs in Kafka's own framing, as replicas exchange them over TCP: a length prefix, request
/// header v2 (API key, version, correlation id, client id, tagged fields) and the body; responses carry
/// response header v1. Every KRaft RPC version Kora speaks is flexible. Pre-vote travels as
/// <see cref="RequestHeader.RaftPreVoteTag"/> in the request header (see there why).
/// </summary>
public static class RaftWire
{
    public static bool IsFlexible(short apiKey, short version) => apiKey switch
    {
        VoteRequest.ApiKey => version >= VoteRequest.LowestFlexibleVersion,
        BeginQuorumEpochRequest.ApiKey => version >= BeginQuorumEpochRequest.LowestFlexibleVersion,
        EndQuorumEpochRequest.ApiKey => version >= EndQuorumEpochRequest.LowestFlexibleVersion,
        FetchRequest.ApiKey => version >= FetchRequest.LowestFlexibleVersion,
        FetchSnapshotRequest.ApiKey => version >= FetchSnapshotRequest.LowestFlexibleVersion,
        DescribeQuorumRequest.ApiKey => version >= DescribeQuorumRequest.LowestFlexibleVersion,
        _ => false,
    };

    /// <summary>A whole request frame, length prefix included.</summary>
    public static byte[] EncodeRequest(RaftMessage request, string clientId)
    {
        var flexible = IsFlexible(request.ApiKey, request.ApiVersion);
        var header = new RequestHeader(request.ApiKey, request.ApiVersion, request.CorrelationId, clientId, 0) { RaftPreVote = request.PreVote };
        var size = header.ComputeSize(flexible) + request.Body.ComputeSize(request.ApiVersion);
        var buffer = new ArrayBufferWriter<byte>(4 + size);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(size);
        header.Write(ref writer, flexible);
        request.Body.Write(ref writer, request.ApiVersion);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a response frame (after its length prefix) to the request it answers; throws <see cref="KafkaProtocolException"/> when malformed.</summary>
    public static IKafkaMessage DecodeResponse(ReadOnlyMemory<byte> afterCorrelationId, short apiKey, short version)
    {
        var reader = new KafkaReader(afterCorrelationId);
        if (IsFlexible(apiKey, version))
        {
            var tags = reader.ReadUnsignedVarInt();
            for (var i = 0u; i < tags; i++)
            {
                reader.ReadUnsignedVarInt();
                reader.Skip((int)reader.ReadUnsignedVarInt());
            }
        }
        var body = RaftCodec.CreateBody(apiKey, isResponse: true);
        body.Read(ref reader, version);
        return body;
    }
}
