using System.Text.Json;
using Kora.AppHost.Fleet;
using Kora.AppHost.Hosting;
using Kora.AppHost.Tests.Infrastructure;

namespace Kora.AppHost.Tests.Publishing;

public sealed class PublishTests : IDisposable
{
    private readonly TempDirectory _output = new();

    public void Dispose() => _output.Dispose();

    private TestFleet Fleet(string target) => new(args: ["publish", "--target", target, "--output", _output.Path]);

    /// <summary>Two brokers in two cells and a client that references and waits for broker-1, as published.</summary>
    private async Task<JsonElement> PublishAsync(string target)
    {
        using var fleet = Fleet(target);
        var builder = fleet.Builder;
        Assert.True(builder.ExecutionContext.IsPublishMode);
        var broker1 = builder.AddBroker(1, cell: 1, kafkaPort: 9092);
        builder.AddBroker(2, cell: 2, kafkaPort: 9093);
        builder.AddExecutable("client", "kcat", "/srv", "-L").WithReference(broker1).WaitFor(broker1);
        await using var app = builder.Build();
        Assert.Equal(0, await app.RunAsync());
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(_output.File("aspire-manifest.json")));
        return manifest.RootElement.Clone();
    }

    [Fact]
    public async Task Publish_Manifest_ListsEveryResourceWithProjectEnvEndpointsAndDependencies()
    {
        var resources = (await PublishAsync("aws")).GetProperty("resources");
        Assert.Equal(["broker-1", "broker-2", "client"], resources.EnumerateObject().Select(p => p.Name));

        var broker = resources.GetProperty("broker-2");
        Assert.Equal("project.v0", broker.GetProperty("type").GetString());
        Assert.EndsWith("Kora.Broker/Kora.Broker.csproj", broker.GetProperty("path").GetString());
        Assert.True(File.Exists(Path.GetFullPath(broker.GetProperty("path").GetString()!, _output.Path)));
        var env = broker.GetProperty("env");
        Assert.Equal("2", env.GetProperty("Kora__Broker__NodeId").GetString());
        Assert.Equal("2", env.GetProperty("Kora__Broker__Cell").GetString());
        Assert.Equal("0.0.0.0:{broker-2.bindings.kafka.targetPort}", env.GetProperty("Kora__Broker__Listener").GetString());
        Assert.Equal("{broker-2.bindings.kafka.host}:{broker-2.bindings.kafka.port}", env.GetProperty("Kora__Broker__AdvertisedListener").GetString());
        Assert.Equal("/var/lib/kora", env.GetProperty("Kora__Broker__DataDir").GetString());
        var kafka = broker.GetProperty("bindings").GetProperty("kafka");
        Assert.Equal("tcp", kafka.GetProperty("transport").GetString());
        Assert.Equal(9093, kafka.GetProperty("port").GetInt32());
        Assert.Equal(9092, kafka.GetProperty("targetPort").GetInt32());
        Assert.True(kafka.GetProperty("external").GetBoolean());
        Assert.Equal("http", broker.GetProperty("bindings").GetProperty("http").GetProperty("transport").GetString());
        Assert.Equal("broker-2-data", broker.GetProperty("volumes")[0].GetProperty("name").GetString());
        Assert.Equal(["readyLine", "http"], broker.GetProperty("healthChecks").EnumerateArray().Select(c => c.GetProperty("type").GetString()));

        var client = resources.GetProperty("client");
        Assert.Equal("executable.v0", client.GetProperty("type").GetString());
        Assert.Equal("kcat", client.GetProperty("command").GetString());
        Assert.Equal(["-L"], client.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["broker-1"], client.GetProperty("references").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["broker-1"], client.GetProperty("waitFor").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("{broker-1.bindings.kafka.host}:{broker-1.bindings.kafka.port}", client.GetProperty("env").GetProperty("ConnectionStrings__broker-1").GetString());
        Assert.Equal("{broker-1.bindings.kafka.url}", client.GetProperty("env").GetProperty("services__broker-1__kafka__0").GetString());
    }

    [Fact]
    public async Task Publish_Compose_ResolvesReferencesToServiceNamesAndContainerPorts()
    {
        await PublishAsync("gcp");
        var compose = await File.ReadAllTextAsync(_output.File("docker-compose.yaml"));
        Assert.Contains("  broker-1:\n    image: \"kora.broker:latest\"", compose);
        Assert.Contains("      Kora__Broker__AdvertisedListener: \"broker-2:9092\"", compose);
        Assert.Contains("      Kora__Broker__HttpListener: \"0.0.0.0:8080\"", compose);
        Assert.Contains("      - \"9093:9092\"", compose);
        Assert.Contains("      - \"broker-2-data:/var/lib/kora\"", compose);
        Assert.Contains("  broker-2-data: {}", compose);
        Assert.DoesNotContain("  client:", compose);
        var notes = await File.ReadAllTextAsync(_output.File("DEPLOY-gcp.md"));
        Assert.Contains("| client | executable `kcat`", notes);
        Assert.Contains("| broker-1 | image `kora.broker`", notes);
        Assert.Contains("| broker-1 |", notes.Split('\n').Single(l => l.StartsWith("| client", StringComparison.Ordinal)));
        Assert.Contains("StatefulSet", notes);
    }

    [Theory]
    [InlineData("aws", "Network Load Balancer")]
    [InlineData("azure", "Container Apps")]
    [InlineData("gcp", "Kubernetes Engine")]
    public async Task Publish_Target_WritesThatCloudsNotes(string target, string service)
    {
        await PublishAsync(target);
        Assert.Contains(service, await File.ReadAllTextAsync(_output.File($"DEPLOY-{target}.md")));
    }

    [Theory]
    [InlineData("publish", "--output", "/tmp/x")]
    [InlineData("publish", "--target", "heroku", "--output", "/tmp/x")]
    [InlineData("publish", "--target", "aws")]
    public void CreateBuilder_IncompletePublish_IsAUsageError(params string[] args) =>
        Assert.Throws<UsageException>(() => DistributedApplication.CreateBuilder(args));

    [Fact]
    public async Task StartAsync_PublishedApplication_IsRefused()
    {
        using var fleet = Fleet("aws");
        await using var app = fleet.Builder.Build();
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
    }
}
