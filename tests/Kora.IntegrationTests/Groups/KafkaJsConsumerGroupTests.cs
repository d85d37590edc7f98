using System.Text.Json;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Groups;

/// <summary>kafkajs (pure JavaScript) consumer group: two members split a topic and read every message once.</summary>
public class KafkaJsConsumerGroupTests(GroupFixture fixture) : IClassFixture<GroupFixture>
{
    [Fact]
    public async Task TwoConsumers_ReadEveryMessage()
    {
        var topic = $"kafkajs-grp-{Guid.NewGuid():N}";
        var result = await ExternalCommand.RunAsync("timeout",
            ["28", "node", Path.Combine(Repository.NodeClients, "kafkajs-consumer-group.js"), fixture.Broker.BootstrapServers, topic, $"g-{Guid.NewGuid():N}"],
            workingDirectory: Repository.NodeClients);
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        using var json = JsonDocument.Parse(result.StdOut.Trim().Split('\n')[^1]);
        Assert.Equal(200, json.RootElement.GetProperty("distinct").GetInt32());
        Assert.Equal(200, json.RootElement.GetProperty("consumed").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("members").GetInt32());
    }
}
