using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Cluster;

/// <summary>
/// One TCP connection from this broker to a controller or another broker carrying one request at a time:
/// such requests are rare (registration, heartbeats, admin changes, transaction markers), so a small pool of
/// these is simpler than pipelining and a slow CreateTopics never holds up a heartbeat.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private const int MaxResponseBytes = 128 * 1024 * 1024;
    private readonly Socket _socket;
    private readonly string _clientId;
    private int _correlationId;

    private PeerConnection(int peerId, Socket socket, string clientId)
    {
        PeerId = peerId;
        _socket = socket;
        _clientId = clientId;
    }

    public int PeerId { get; }

    public static async Task<PeerConnection> ConnectAsync(int peerId, EndPoint endPoint, string clientId, CancellationToken cancellation)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellation).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new PeerConnection(peerId, socket, clientId);
    }

    /// <summary>Sends a request and reads its response; throws <see cref="IOException"/> when the connection breaks.</summary>
    public async Task<TResponse> SendAsync<TResponse>(short apiKey, short version, bool flexible, IKafkaMessage request, CancellationToken cancellation)
        where TResponse : IKafkaMessage, new()
    {
        var correlationId = ++_correlationId;
        var header = new RequestHeader(apiKey, version, correlationId, _clientId, 0);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(header.ComputeSize(flexible) + request.ComputeSize(version));
        header.Write(ref writer, flexible);
        request.Write(ref writer, version);
        writer.Flush();
        var bytes = buffer.WrittenMemory;
        while (!bytes.IsEmpty)
        {
            bytes = bytes[await _socket.SendAsync(bytes, cancellation).ConfigureAwait(false)..];
        }
        var prefix = new byte[4];
        await ReadExactlyAsync(prefix, cancellation).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < 4 || length > MaxResponseBytes)
        {
            throw new IOException($"Response frame of {length} bytes from node {PeerId}.");
        }
        var frame = new byte[length];
        await ReadExactlyAsync(frame, cancellation).ConfigureAwait(false);
        return Parse<TResponse>(frame, correlationId, version, flexible);
    }

    private TResponse Parse<TResponse>(byte[] frame, int correlationId, short version, bool flexible)
        where TResponse : IKafkaMessage, new()
    {
        try
        {
            var reader = new KafkaReader(frame);
            if (reader.ReadInt32() != correlationId)
            {
                throw new IOException($"Node {PeerId} answered out of order.");
            }
            if (flexible)
            {
                var tags = reader.ReadUnsignedVarInt();
                for (var i = 0u; i < tags; i++)
                {
                    reader.ReadUnsignedVarInt();
                    reader.Skip((int)reader.ReadUnsignedVarInt());
                }
            }
            var response = new TResponse();
            response.Read(ref reader, version);
            return response;
        }
        catch (KafkaProtocolException e)
        {
            throw new IOException($"Malformed response from node {PeerId}: {e.Message}", e);
        }
    }

    private async Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellation)
    {
        while (!buffer.IsEmpty)
        {
            var read = await _socket.ReceiveAsync(buffer, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"Node {PeerId} closed the connection.");
            }
            buffer = buffer[read..];
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
