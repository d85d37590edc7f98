using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Kora.Network;
using Kora.Protocol.Primitives;
using Kora.Raft.Messages;
using Microsoft.Extensions.Logging;

namespace Kora.Raft.Network;

/// <summary>
/// The connection from this replica to one other voter. Requests are pipelined on it (each with its own
/// correlation id) and responses matched back by id; when it breaks, every request still waiting is
/// reported failed and the connection is made again after a backoff that doubles from
/// <c>reconnect.backoff.ms</c> up to <c>reconnect.backoff.max.ms</c>, as Kafka's network client does.
/// </summary>
internal sealed partial class RaftPeer : IAsyncDisposable
{
    private const int MaxResponseBytes = 128 * 1024 * 1024;
    private readonly int _localId;
    private readonly int _peerId;
    private readonly EndPoint _endPoint;
    private readonly string _clientId;
    private readonly RaftTransportSettings _settings;
    private readonly IRaftTransportEvents _events;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, (short ApiKey, short Version)> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private Channel<byte[]>? _outbox;

    public RaftPeer(int localId, int peerId, EndPoint endPoint, RaftTransportSettings settings, IRaftTransportEvents events, ILogger logger)
    {
        _localId = localId;
        _peerId = peerId;
        _endPoint = endPoint;
        _clientId = "kora-raft-" + localId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _settings = settings;
        _events = events;
        _logger = logger;
        _running = Task.Run(RunAsync);
    }

    /// <summary>Queues a request; without a connection it fails at once, so the core backs off instead of waiting out its timeout.</summary>
    public void Send(RaftMessage request)
    {
        var outbox = Volatile.Read(ref _outbox);
        _inFlight[request.CorrelationId] = (request.ApiKey, request.ApiVersion);
        if (outbox is null || !outbox.Writer.TryWrite(RaftWire.EncodeRequest(request, _clientId)))
        {
            Fail(request.CorrelationId);
        }
    }

    private void Fail(int correlationId)
    {
        if (_inFlight.TryRemove(correlationId, out _))
        {
            _events.OnRequestFailed(_peerId, correlationId);
        }
    }

    private async Task RunAsync()
    {
        var backoff = _settings.ReconnectBackoffMs;
        while (!_stop.IsCancellationRequested)
        {
            var connected = false;
            try
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    connectTimeout.CancelAfter(_settings.ConnectTimeoutMs);
                    await socket.ConnectAsync(_endPoint, connectTimeout.Token).ConfigureAwait(false);
                }
                connected = true;
                backoff = _settings.ReconnectBackoffMs;
                Log.Connected(_logger, _localId, _peerId, _endPoint);
                await ServeAsync(socket).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or KafkaProtocolException)
            {
                if (_stop.IsCancellationRequested)
                {
                    break;
                }
                Log.ConnectionFailed(_logger, _localId, _peerId, _endPoint, e.Message);
            }
            if (!connected)
            {
                backoff = Math.Min(backoff * 2, _settings.ReconnectBackoffMaxMs);
            }
            // Jitter (Kafka's 20%) keeps replicas that lost the same peer from reconnecting in lockstep.
            var delay = (int)(backoff * (0.8 + Random.Shared.NextDouble() * 0.4));
            try
            {
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var transport = new SocketTransport(socket);
        var outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(_settings.MaxQueuedRequests)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        Volatile.Write(ref _outbox, outbox);
        using var broken = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var writing = WriteAsync(transport.Output, outbox.Reader, broken);
        try
        {
            await ReadAsync(transport.Input, broken.Token).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _outbox, null);
            outbox.Writer.TryComplete();
            await broken.CancelAsync().ConfigureAwait(false);
            await writing.ConfigureAwait(false);
            await transport.Input.CompleteAsync().ConfigureAwait(false);
            await transport.DisposeAsync().ConfigureAwait(false);
            foreach (var correlationId in _inFlight.Keys)
            {
                Fail(correlationId);
            }
        }
    }

    private static async Task WriteAsync(System.IO.Pipelines.PipeWriter output, ChannelReader<byte[]> outbox, CancellationTokenSource broken)
    {
        try
        {
            while (await outbox.WaitToReadAsync(broken.Token).ConfigureAwait(false))
            {
                while (outbox.TryRead(out var frame))
                {
                    output.Write(frame);
                }
                var flush = await output.FlushAsync(broken.Token).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
        }
        await broken.CancelAsync().ConfigureAwait(false);
        await output.CompleteAsync().ConfigureAwait(false);
    }

    private async Task ReadAsync(System.IO.Pipelines.PipeReader input, CancellationToken broken)
    {
        while (true)
        {
            var result = await input.ReadAsync(broken).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (TryReadFrame(ref buffer, out var frame))
            {
                OnResponse(frame);
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out byte[] frame)
    {
        frame = [];
        if (buffer.Length < 4)
        {
            return false;
        }
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < 4 || length > MaxResponseBytes)
        {
            throw new KafkaProtocolException($"Response frame of {length} bytes.");
        }
        if (buffer.Length < 4 + length)
        {
            return false;
        }
        frame = buffer.Slice(4, length).ToArray();
        buffer = buffer.Slice(4 + length);
        return true;
    }

    private void OnResponse(byte[] frame)
    {
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
        if (!_inFlight.TryRemove(correlationId, out var request))
        {
            return;
        }
        IKafkaMessage body;
        try
        {
            body = RaftWire.DecodeResponse(frame.AsMemory(4), request.ApiKey, request.Version);
        }
        catch (KafkaProtocolException e)
        {
            Log.MalformedResponse(_logger, _localId, _peerId, request.ApiKey, e.Message);
            _events.OnRequestFailed(_peerId, correlationId);
            return;
        }
        _events.OnMessage(new RaftMessage
        {
            Source = _peerId,
            Destination = _localId,
            CorrelationId = correlationId,
            ApiKey = request.ApiKey,
            ApiVersion = request.Version,
            IsResponse = true,
            Body = body,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Raft node {NodeId} connected to voter {PeerId} at {EndPoint}")]
        public static partial void Connected(ILogger logger, int nodeId, int peerId, EndPoint endPoint);

        [LoggerMessage(2, LogLevel.Debug, "Raft node {NodeId}: connection to voter {PeerId} at {EndPoint} failed: {Reason}")]
        public static partial void ConnectionFailed(ILogger logger, int nodeId, int peerId, EndPoint endPoint, string reason);

        [LoggerMessage(3, LogLevel.Warning, "Raft node {NodeId}: malformed response from voter {PeerId} to API {ApiKey}: {Reason}")]
        public static partial void MalformedResponse(ILogger logger, int nodeId, int peerId, short apiKey, string reason);
    }
}
