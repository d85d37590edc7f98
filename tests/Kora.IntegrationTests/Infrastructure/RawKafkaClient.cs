using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Kora.Protocol.Primitives;

namespace Kora.IntegrationTests.Infrastructure;

/// <summary>
/// A bare Kafka protocol client over one socket, built on Kora.Protocol's codecs, for tests that need
/// exact control of versions and bytes (malformed frames, unsupported versions, long-poll timing).
/// </summary>
public sealed class RawKafkaClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private int _correlationId;

    private RawKafkaClient(Socket socket) => _socket = socket;

    public static async Task<RawKafkaClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).ConfigureAwait(false);
        return new RawKafkaClient(socket);
    }

    public async Task<TResponse> SendAsync<TResponse>(short apiKey, short version, IKafkaMessage request, bool flexibleRequest, bool flexibleResponse, short? responseVersion = null)
        where TResponse : IKafkaMessage, new()
    {
        var correlationId = ++_correlationId;
        var header = new RequestHeader(apiKey, version, correlationId, "kora-tests", 0);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(header.ComputeSize(flexibleRequest) + request.ComputeSize(version));
        header.Write(ref writer, flexibleRequest);
        request.Write(ref writer, version);
        writer.Flush();
        await SendRawAsync(buffer.WrittenMemory).ConfigureAwait(false);
        var frame = await ReceiveFrameAsync().ConfigureAwait(false) ?? throw new IOException("Connection closed before a response arrived.");
        return Parse<TResponse>(frame, correlationId, responseVersion ?? version, flexibleResponse);
    }

    private static TResponse Parse<TResponse>(byte[] frame, int correlationId, short version, bool flexibleResponse)
        where TResponse : IKafkaMessage, new()
    {
        var reader = new KafkaReader(frame);
        Assert.Equal(correlationId, reader.ReadInt32());
        if (flexibleResponse)
        {
            var tags = reader.ReadUnsignedVarInt();
            for (var i = 0; i < tags; i++)
            {
                reader.ReadUnsignedVarInt();
                reader.Skip((int)reader.ReadUnsignedVarInt());
            }
        }
        var response = new TResponse();
        response.Read(ref reader, version);
        return response;
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>The next response frame (without its length), or null if the broker closed the connection.</summary>
    public async Task<byte[]?> ReceiveFrameAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, cancel.Token).ConfigureAwait(false))
        {
            return null;
        }
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(frame, cancel.Token).ConfigureAwait(false) ? frame : null;
    }

    /// <summary>True if the broker closes the connection within the timeout (reads hit end of stream).</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer, cancel.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellation)
    {
        while (!buffer.IsEmpty)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer, cancellation).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                return false;
            }
            if (read == 0)
            {
                return false;
            }
            buffer = buffer[read..];
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
