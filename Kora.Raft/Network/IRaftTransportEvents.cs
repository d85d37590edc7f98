using Kora.Raft.Messages;

namespace Kora.Raft.Network;

/// <summary>What the transport reports to the replica's loop, from any thread.</summary>
public interface IRaftTransportEvents
{
    /// <summary>A message (a response from a peer, or a request from a client) for the Raft core.</summary>
    void OnMessage(RaftMessage message);

    /// <summary>A request to <paramref name="destination"/> was not delivered or its connection broke before the answer.</summary>
    void OnRequestFailed(int destination, int correlationId);
}
