namespace Kora.IntegrationTests.Infrastructure;

/// <summary>One broker shared by the tests of a class; tests use their own topics.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public BrokerProcess Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await BrokerProcess.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync() => await Broker.DisposeAsync().ConfigureAwait(false);

    public static string UniqueTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(60, prefix.Length + 33)];
}
