using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kora.Protocol.Primitives;
using Kora.Raft.Network;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Cluster;

/// <summary>
/// Kafka's NodeToControllerChannelManager: sends a request to the active controller and retries it
/// elsewhere when that controller cannot be reached or answers NOT_CONTROLLER. The leader the metadata
/// observer last heard of is tried first, then the other voters in turn, until the request timeout.
/// </summary>
public sealed partial class ControllerChannel : IAsyncDisposable
{
    /// <summary>Kafka's retry.backoff.ms: a new leader is usually elected within a second, so retries stay frequent.</summary>
    private const int MaxBackoffMs = 100;

    private readonly IReadOnlyDictionary<int, EndPoint> _voters;
    private readonly int[] _voterIds;
    private readonly Func<int> _leaderHint;
    private readonly string _clientId;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, ConcurrentBag<PeerConnection>> _idle = new();
    private int _roundRobin;

    public ControllerChannel(IOptions<BrokerOptions> options, MetadataObserver observer, ILogger<ControllerChannel> logger)
        : this(QuorumVoters.Parse(options.Value.ControllerQuorumVoters ?? ""), () => observer.LeaderId,
            "kora-broker-" + options.Value.NodeId.ToString(CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(options.Value.ControllerRequestTimeoutMs), logger)
    {
    }

    public ControllerChannel(IReadOnlyDictionary<int, EndPoint> voters, Func<int> leaderHint, string clientId, TimeSpan timeout, ILogger logger)
    {
        _voters = voters;
        _voterIds = [.. voters.Keys];
        _leaderHint = leaderHint;
        _clientId = clientId;
        _timeout = timeout;
        _logger = logger;
    }

    /// <summary>
    /// A channel to the same controllers with connections of its own. The broker's heartbeats use one, so the
    /// connection that carries them closes only when the broker dies or replaces it (the controller fences a
    /// broker whose heartbeat connection closes), never because some other request failed on it.
    /// </summary>
    public ControllerChannel CreateDedicated() => new(_voters, _leaderHint, _clientId, _timeout, _logger);

    /// <summary>
    /// Sends <paramref name="request"/> to the active controller. <paramref name="notController"/> says
    /// whether a response means "ask another controller". Throws <see cref="TimeoutException"/> when no
    /// controller answered usefully within the request timeout.
    /// </summary>
    public async Task<TResponse> SendAsync<TResponse>(
        short apiKey, short version, bool flexible, IKafkaMessage request, Func<TResponse, bool> notController, CancellationToken cancellation)
        where TResponse : IKafkaMessage, new()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(_timeout);
        var backoffMs = 20;
        var failed = -1;
        while (true)
        {
            var target = Pick(failed);
            try
            {
                var response = await SendOnceAsync<TResponse>(target, apiKey, version, flexible, request, deadline.Token).ConfigureAwait(false);
                if (!notController(response))
                {
                    return response;
                }
                Log.NotController(_logger, target, apiKey);
            }
            catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !deadline.IsCancellationRequested))
            {
                Log.Unreachable(_logger, target, apiKey, e.Message);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"No active controller answered API {apiKey} within {_timeout.TotalMilliseconds} ms.");
            }
            failed = target;
            try
            {
                await Task.Delay(backoffMs, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"No active controller answered API {apiKey} within {_timeout.TotalMilliseconds} ms.");
            }
            backoffMs = Math.Min(backoffMs * 2, MaxBackoffMs);
        }
    }

    /// <summary>The known leader unless it just failed us; otherwise the next voter in turn.</summary>
    private int Pick(int failed)
    {
        var hint = _leaderHint();
        if (hint >= 0 && hint != failed && _voters.ContainsKey(hint))
        {
            return hint;
        }
        var next = _voterIds[(int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)_voterIds.Length)];
        return next == failed && _voterIds.Length > 1
            ? _voterIds[(int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)_voterIds.Length)]
            : next;
    }

    private async Task<TResponse> SendOnceAsync<TResponse>(int target, short apiKey, short version, bool flexible, IKafkaMessage request, CancellationToken cancellation)
        where TResponse : IKafkaMessage, new()
    {
        var pool = _idle.GetOrAdd(target, _ => []);
        if (!pool.TryTake(out var connection))
        {
            connection = await PeerConnection.ConnectAsync(target, _voters[target], _clientId, cancellation).ConfigureAwait(false);
        }
        try
        {
            var response = await connection.SendAsync<TResponse>(apiKey, version, flexible, request, cancellation).ConfigureAwait(false);
            pool.Add(connection);
            return response;
        }
        catch
        {
            // A connection whose request failed half way holds an unknown position in the stream.
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pool in _idle.Values)
        {
            while (pool.TryTake(out var connection))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Controller {ControllerId} is not the active controller for API {ApiKey}; trying another")]
        public static partial void NotController(ILogger logger, int controllerId, short apiKey);

        [LoggerMessage(2, LogLevel.Debug, "Controller {ControllerId} did not answer API {ApiKey}: {Reason}")]
        public static partial void Unreachable(ILogger logger, int controllerId, short apiKey, string reason);
    }
}
