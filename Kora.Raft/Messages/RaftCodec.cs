using System.Buffers;
using System.Buffers.Binary;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Raft.Messages;

/// <summary>
/// Encodes a <see cref="RaftMessage"/> with the generated Kafka codecs. The frame is a small routing
/// header (source, destination, correlation id, api key, version, flags) followed by the message body
/// in its Kafka encoding, so the body bytes are exactly what a Kafka replica would put on the wire.
/// </summary>
public static class RaftCodec
{
    private const int HeaderSize = 4 + 4 + 4 + 2 + 2 + 1;
    private const byte ResponseFlag = 1;
    private const byte PreVoteFlag = 2;

    public static byte[] Encode(RaftMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(HeaderSize + message.Body.ComputeSize(message.ApiVersion));
        var header = buffer.GetSpan(HeaderSize);
        BinaryPrimitives.WriteInt32BigEndian(header, message.Source);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], message.Destination);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], message.CorrelationId);
        BinaryPrimitives.WriteInt16BigEndian(header[12..], message.ApiKey);
        BinaryPrimitives.WriteInt16BigEndian(header[14..], message.ApiVersion);
        header[16] = (byte)((message.IsResponse ? ResponseFlag : 0) | (message.PreVote ? PreVoteFlag : 0));
        buffer.Advance(HeaderSize);
        var writer = new KafkaWriter(buffer);
        message.Body.Write(ref writer, message.ApiVersion);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a frame; throws <see cref="KafkaProtocolException"/> on anything malformed.</summary>
    public static RaftMessage Decode(ReadOnlyMemory<byte> frame)
    {
        if (frame.Length < HeaderSize)
        {
            throw new KafkaProtocolException("Raft frame shorter than its header.");
        }
        var span = frame.Span;
        var apiKey = BinaryPrimitives.ReadInt16BigEndian(span[12..]);
        var version = BinaryPrimitives.ReadInt16BigEndian(span[14..]);
        var flags = span[16];
        var isResponse = (flags & ResponseFlag) != 0;
        var body = CreateBody(apiKey, isResponse);
        var reader = new KafkaReader(frame[HeaderSize..]);
        body.Read(ref reader, version);
        return new RaftMessage
        {
            Source = BinaryPrimitives.ReadInt32BigEndian(span),
            Destination = BinaryPrimitives.ReadInt32BigEndian(span[4..]),
            CorrelationId = BinaryPrimitives.ReadInt32BigEndian(span[8..]),
            ApiKey = apiKey,
            ApiVersion = version,
            IsResponse = isResponse,
            PreVote = (flags & PreVoteFlag) != 0,
            Body = body,
        };
    }

    public static IKafkaMessage CreateBody(short apiKey, bool isResponse) => (apiKey, isResponse) switch
    {
        (VoteRequest.ApiKey, false) => new VoteRequest(),
        (VoteRequest.ApiKey, true) => new VoteResponse(),
        (BeginQuorumEpochRequest.ApiKey, false) => new BeginQuorumEpochRequest(),
        (BeginQuorumEpochRequest.ApiKey, true) => new BeginQuorumEpochResponse(),
        (EndQuorumEpochRequest.ApiKey, false) => new EndQuorumEpochRequest(),
        (EndQuorumEpochRequest.ApiKey, true) => new EndQuorumEpochResponse(),
        (FetchRequest.ApiKey, false) => new FetchRequest(),
        (FetchRequest.ApiKey, true) => new FetchResponse(),
        (FetchSnapshotRequest.ApiKey, false) => new FetchSnapshotRequest(),
        (FetchSnapshotRequest.ApiKey, true) => new FetchSnapshotResponse(),
        (DescribeQuorumRequest.ApiKey, false) => new DescribeQuorumRequest(),
        (DescribeQuorumRequest.ApiKey, true) => new DescribeQuorumResponse(),
        _ => throw new KafkaProtocolException($"Api key {apiKey} is not a KRaft RPC."),
    };
}
