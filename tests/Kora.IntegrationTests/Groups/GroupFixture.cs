using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Groups;

/// <summary>A broker whose empty groups rebalance after 100 ms instead of 3 s, shared by the group tests.</summary>
public sealed class GroupFixture : IAsyncLifetime
{
    public BrokerProcess Broker { get; private set; } = null!;

    public static Dictionary<string, string> Settings => new() { ["GroupInitialRebalanceDelayMs"] = "100" };

    public async Task InitializeAsync() => Broker = await BrokerProcess.StartAsync(Settings).ConfigureAwait(false);

    public async Task DisposeAsync() => await Broker.DisposeAsync().ConfigureAwait(false);
}
