using System.Collections.Concurrent;
using System.Net;
using Kora.Protocol.Primitives;
using Kora.Raft.Messages;
using Microsoft.Extensions.Logging;

namespace Kora.Raft.Network;

/// <summary>
/// <see cref="IRaftNetwork"/> over TCP in the Kafka protocol. Requests from this replica go out on one
/// pipelined connection per voter (<see cref="RaftPeer"/>). Requests from others arrive through the
/// Kafka listener (<see cref="SubmitAsync"/>): each gets a fresh negative source id that stands for
/// "whoever asked on that connection", so the core's answer, whenever it comes (a parked fetch answers
/// late), finds its way back to the waiting request.
/// </summary>
public sealed class KafkaRaftNetwork : IRaftNetwork, IAsyncDisposable
{
    private readonly int _nodeId;
    private readonly IRaftTransportEvents _events;
    private readonly Dictionary<int, RaftPeer> _peers = [];
    private readonly ConcurrentDictionary<int, TaskCompletionSource<IKafkaMessage>> _inbound = new();
    private int _nextInboundId;

    public KafkaRaftNetwork(int nodeId, IReadOnlyDictionary<int, EndPoint> voters, RaftTransportSettings settings, IRaftTransportEvents events, ILogger logger)
    {
        _nodeId = nodeId;
        _events = events;
        foreach (var (id, endPoint) in voters)
        {
            if (id != nodeId)
            {
                _peers[id] = new RaftPeer(nodeId, id, endPoint, settings, events, logger);
            }
        }
    }

    public void Send(RaftMessage message)
    {
        if (message.IsResponse)
        {
            if (_inbound.TryRemove(message.Destination, out var waiting))
            {
                waiting.TrySetResult(message.Body);
            }
            return;
        }
        if (_peers.TryGetValue(message.Destination, out var peer))
        {
            peer.Send(message);
        }
        else
        {
            _events.OnRequestFailed(message.Destination, message.CorrelationId);
        }
    }

    /// <summary>
    /// Hands a request that arrived on the Kafka listener to the core and waits for its answer; null
    /// when none came within <paramref name="timeout"/> or the server is stopping.
    /// </summary>
    public async Task<IKafkaMessage?> SubmitAsync(RequestHeader header, IKafkaMessage body, TimeSpan timeout, CancellationToken cancellation)
    {
        // Negative ids never collide with node ids; -1 is left alone because it means "no leader".
        var source = -2 - (Interlocked.Increment(ref _nextInboundId) & int.MaxValue) % (int.MaxValue - 2);
        var waiting = new TaskCompletionSource<IKafkaMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _inbound[source] = waiting;
        _events.OnMessage(new RaftMessage
        {
            Source = source,
            Destination = _nodeId,
            CorrelationId = header.CorrelationId,
            ApiKey = header.ApiKey,
            ApiVersion = header.ApiVersion,
            IsResponse = false,
            PreVote = header.RaftPreVote,
            Body = body,
        });
        try
        {
            return await waiting.Task.WaitAsync(timeout, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return null;
        }
        finally
        {
            _inbound.TryRemove(source, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _peers.Values)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var waiting in _inbound.Values)
        {
            waiting.TrySetCanceled();
        }
    }
}
