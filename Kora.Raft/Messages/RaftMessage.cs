using Kora.Protocol.Primitives;

namespace Kora.Raft.Messages;

/// <summary>
/// One KRaft RPC in flight between two replicas: a Kafka request or response body with the routing a
/// Kafka request header would carry.
/// </summary>
public sealed class RaftMessage
{
    public required int Source { get; init; }
    public required int Destination { get; init; }
    public required int CorrelationId { get; init; }
    public required short ApiKey { get; init; }
    public required short ApiVersion { get; init; }
    public required bool IsResponse { get; init; }
    public required IKafkaMessage Body { get; init; }

    /// <summary>
    /// KIP-996 pre-vote. Kafka 4 sends it as VoteRequest v2's <c>PreVote</c> field; Kora's schema set
    /// stops at Vote v1 and the schema files are not to change, so the flag travels on the envelope and
    /// is framed by <see cref="RaftCodec"/> just before the body. Only Vote requests use it.
    /// </summary>
    public bool PreVote { get; init; }

    public override string ToString() =>
        $"{(IsResponse ? "response" : "request")} api {ApiKey} v{ApiVersion} #{CorrelationId} {Source}->{Destination}{(PreVote ? " pre-vote" : "")}";
}
