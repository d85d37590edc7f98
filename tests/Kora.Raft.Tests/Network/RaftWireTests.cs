using System.Buffers.Binary;
using System.Net;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.Messages;
using Kora.Raft.Network;
using Kora.Raft.Tests.Core;

namespace Kora.Raft.Tests.Network;

public class RaftWireTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_vote_request_is_a_Kafka_frame_with_header_v2_and_the_pre_vote_flag_as_a_header_tag(bool preVote)
    {
        var frame = RaftWire.EncodeRequest(new RaftMessage
        {
            Source = 1,
            Destination = 2,
            CorrelationId = 42,
            ApiKey = VoteRequest.ApiKey,
            ApiVersion = RaftApis.VoteVersion,
            IsResponse = false,
            PreVote = preVote,
            Body = CoreHarness.Vote(1, 5, 4, 100),
        }, "kora-raft-1");

        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame));
        var reader = new KafkaReader(frame.AsMemory(4));
        var header = RequestHeader.Read(ref reader, RaftWire.IsFlexible);
        Assert.Equal((VoteRequest.ApiKey, RaftApis.VoteVersion, 42, "kora-raft-1", preVote), (header.ApiKey, header.ApiVersion, header.CorrelationId, header.ClientId, header.RaftPreVote));
        var body = new VoteRequest();
        body.Read(ref reader, header.ApiVersion);
        Assert.Equal(5, body.Topics[0].Partitions[0].CandidateEpoch);
        Assert.Equal(100, body.Topics[0].Partitions[0].LastOffset);
        Assert.True(reader.End);
    }

    [Fact]
    public void A_response_decodes_against_the_request_it_answers()
    {
        var response = CoreHarness.VoteAnswer(7, granted: true, leaderId: 3);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteUnsignedVarInt(0);
        response.Write(ref writer, RaftApis.VoteVersion);
        writer.Flush();

        var decoded = Assert.IsType<VoteResponse>(RaftWire.DecodeResponse(buffer.WrittenMemory, VoteRequest.ApiKey, RaftApis.VoteVersion));
        Assert.True(decoded.Topics[0].Partitions[0].VoteGranted);
        Assert.Equal(3, decoded.Topics[0].Partitions[0].LeaderId);
    }

    [Fact]
    public void Quorum_voters_parse_in_Kafkas_format_and_bad_entries_are_refused()
    {
        var voters = QuorumVoters.Parse("1@127.0.0.1:9093, 2@localhost:9094,3@[::1]:9095");
        Assert.Equal([1, 2, 3], voters.Keys);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9093), voters[1]);
        Assert.Equal(new DnsEndPoint("localhost", 9094), voters[2]);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9095), voters[3]);
        Assert.Throws<FormatException>(() => QuorumVoters.Parse("1@127.0.0.1"));
        Assert.Throws<FormatException>(() => QuorumVoters.Parse("x@127.0.0.1:1"));
        Assert.Throws<FormatException>(() => QuorumVoters.Parse("1@a:1,1@b:2"));
        Assert.Throws<FormatException>(() => QuorumVoters.Parse(""));
    }
}
