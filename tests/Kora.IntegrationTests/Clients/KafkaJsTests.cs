using System.Text.Json;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Clients;

/// <summary>kafkajs (pure JavaScript): admin, produce with and without compression, offsets.</summary>
public class KafkaJsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task AdminProduceAndOffsets_Work()
    {
        var topic = $"kafkajs-{Guid.NewGuid():N}";
        var result = await ExternalCommand.RunAsync("node",
            [Path.Combine(Repository.NodeClients, "kafkajs-roundtrip.js"), fixture.Broker.BootstrapServers, topic],
            workingDirectory: Repository.NodeClients);
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        using var json = JsonDocument.Parse(result.StdOut.Trim().Split('\n')[^1]);
        Assert.Equal(2000, json.RootElement.GetProperty("sent").GetInt32());
        Assert.Equal(2000, json.RootElement.GetProperty("high").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("partitions").GetInt32());
        Assert.True(json.RootElement.GetProperty("listed").GetBoolean());
    }
}
