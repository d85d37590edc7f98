using System.Net;
using System.Net.Sockets;
using Kora.Network;
using Kora.Network.Apis;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Broker.Tests.Network;

/// <summary>A broker binds its Kafka port before it is ready (it registers the port) but serves nobody until then.</summary>
public sealed class ListenerReadinessTests
{
    [Fact]
    public async Task BoundListener_LeavesClientsInTheBacklog_UntilItStartsAccepting()
    {
        using var lifetime = new StoppableLifetime();
        var telemetry = new CountingTelemetry();
        var listener = new KafkaListener(new ApiRegistry([]), new KafkaListenerSettings(100 * 1024 * 1024, 100 * 1024 * 1024), telemetry, lifetime,
            NullLogger<KafkaListener>.Instance);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        try
        {
            using var client = new TcpClient();
            // The kernel completes the handshake from the backlog, so the client connects and simply waits.
            await client.ConnectAsync(listener.EndPoint!).WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(300);
            Assert.Equal(0, telemetry.Opened);

            listener.StartAccepting();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (telemetry.Opened == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
            Assert.Equal(1, telemetry.Opened);
            Assert.Throws<InvalidOperationException>(() => listener.Bind(new IPEndPoint(IPAddress.Loopback, 0)));
        }
        finally
        {
            lifetime.StopApplication();
            await listener.DisposeAsync();
        }
    }
}
