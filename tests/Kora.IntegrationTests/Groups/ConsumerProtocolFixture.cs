using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Groups;

/// <summary>A broker whose consumer-protocol members heartbeat every 300 ms and are fenced after 4 s of silence.</summary>
public sealed class ConsumerProtocolFixture : IAsyncLifetime
{
    public BrokerProcess Broker { get; private set; } = null!;

    public static Dictionary<string, string> Settings => new()
    {
        ["GroupConsumerHeartbeatIntervalMs"] = "300",
        ["GroupConsumerSessionTimeoutMs"] = "4000",
    };

    public async Task InitializeAsync() => Broker = await BrokerProcess.StartAsync(Settings).ConfigureAwait(false);

    public async Task DisposeAsync() => await Broker.DisposeAsync().ConfigureAwait(false);
}
