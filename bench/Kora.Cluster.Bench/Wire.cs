using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Kora.Protocol.Primitives;

namespace Kora.Cluster.Bench;

/// <summary>One Kafka request on a fresh connection, for asking one particular node (a controller, or one broker's own view).</summary>
public static class Wire
{
    public static async Task<TResponse> SendAsync<TResponse>(IPEndPoint endPoint, short apiKey, short version, IKafkaMessage request, TimeSpan timeout)
        where TResponse : IKafkaMessage, new()
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, cancel.Token).ConfigureAwait(false);
        var header = new RequestHeader(apiKey, version, 1, "kora-cluster-bench", 0);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(header.ComputeSize(true) + request.ComputeSize(version));
        header.Write(ref writer, true);
        request.Write(ref writer, version);
        writer.Flush();
        await socket.SendAsync(buffer.WrittenMemory, cancel.Token).ConfigureAwait(false);
        var prefix = new byte[4];
        await ReadAsync(socket, prefix, cancel.Token).ConfigureAwait(false);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await ReadAsync(socket, frame, cancel.Token).ConfigureAwait(false);
        var reader = new KafkaReader(frame);
        reader.ReadInt32();
        var tags = reader.ReadUnsignedVarInt();
        for (var i = 0u; i < tags; i++)
        {
            reader.ReadUnsignedVarInt();
            reader.Skip((int)reader.ReadUnsignedVarInt());
        }
        var response = new TResponse();
        response.Read(ref reader, version);
        return response;
    }

    private static async Task ReadAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellation)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("Connection closed.");
            }
            buffer = buffer[read..];
        }
    }
}
