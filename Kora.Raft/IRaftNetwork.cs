using Kora.Raft.Messages;

namespace Kora.Raft;

/// <summary>
/// Delivers messages to other replicas. Sending never blocks and may silently lose the message: the
/// core retries on its own timers, so the transport needs no delivery guarantee.
/// </summary>
public interface IRaftNetwork
{
    void Send(RaftMessage message);
}
