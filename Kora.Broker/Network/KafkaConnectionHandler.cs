using Kora.Broker.Apis;
using Kora.Broker.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Network;

/// <summary>Kestrel's entry point for the Kafka listener: one <see cref="KafkaConnection"/> per socket.</summary>
internal sealed class KafkaConnectionHandler(
    ApiRegistry apis,
    IOptions<BrokerOptions> options,
    BrokerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<KafkaConnectionHandler> logger) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        new KafkaConnection(connection, apis, options.Value, metrics, logger).RunAsync(lifetime.ApplicationStopping);
}
