using System.Net;
using System.Net.Sockets;
using Kora.Network.Apis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kora.Network;

/// <summary>
/// The Kafka listener: accepts sockets and runs a <see cref="KafkaConnection"/> on each. On shutdown it
/// stops accepting, lets every connection answer what it has read, and waits for them to close.
/// </summary>
public sealed partial class KafkaListener(
    ApiRegistry apis,
    KafkaListenerSettings settings,
    IKafkaServerTelemetry telemetry,
    IHostApplicationLifetime lifetime,
    ILogger<KafkaListener> logger) : IHostedService, IAsyncDisposable
{
    private readonly HashSet<Task> _connections = [];
    private Socket? _listenSocket;
    private Task? _accepting;
    private long _nextConnectionId;

    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Binds the listener and serves at once; port 0 picks a free port, reported by <see cref="EndPoint"/>.</summary>
    public void Start(IPEndPoint endPoint)
    {
        Bind(endPoint);
        StartAccepting();
    }

    /// <summary>
    /// Binds and listens without accepting yet, so the port is known (a broker registers it) while clients wait in
    /// the backlog until <see cref="StartAccepting"/>: Kafka's socket server likewise starts its data plane only once
    /// the broker has caught up with the metadata log and been unfenced.
    /// </summary>
    public void Bind(IPEndPoint endPoint)
    {
        if (_listenSocket is not null)
        {
            throw new InvalidOperationException("The listener is already bound.");
        }
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(endPoint);
        socket.Listen(512);
        _listenSocket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Starts taking the connections waiting in the backlog and any later ones.</summary>
    public void StartAccepting()
    {
        var socket = _listenSocket ?? throw new InvalidOperationException("Bind the listener first.");
        _accepting ??= AcceptAsync(socket);
    }

    private async Task AcceptAsync(Socket listenSocket)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await listenSocket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            var id = "kafka-" + Interlocked.Increment(ref _nextConnectionId);
            var task = RunConnectionAsync(accepted, id);
            lock (_connections)
            {
                _connections.Add(task);
            }
            _ = task.ContinueWith(t =>
            {
                lock (_connections)
                {
                    _connections.Remove(t);
                }
            }, TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(Socket socket, string id)
    {
        var remote = socket.RemoteEndPoint;
        var transport = new SocketTransport(socket);
        try
        {
            var connection = new KafkaConnection(transport, id, remote, apis, settings, telemetry, logger);
            await connection.RunAsync(lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.ConnectionFailed(logger, e, id);
        }
        finally
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _listenSocket?.Dispose();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }
        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }
        await Task.WhenAll(open).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Connection {ConnectionId} failed")]
        public static partial void ConnectionFailed(ILogger logger, Exception exception, string connectionId);
    }
}
