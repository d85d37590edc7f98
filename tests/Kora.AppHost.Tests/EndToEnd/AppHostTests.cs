using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.AppHost.Tests.Infrastructure;

namespace Kora.AppHost.Tests.EndToEnd;

/// <summary>The real AppHost running real brokers, driven with Confluent.Kafka (librdkafka).</summary>
public sealed partial class AppHostTests
{
    private const string ReadyPrefix = "Kora is ready. Bootstrap servers: ";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    [GeneratedRegex(@"^\[apphost\] ((?:broker|controller)-\d+) started \(pid (\d+)\)$")]
    private static partial Regex StartedLine();

    [Fact(Timeout = 240_000)]
    public async Task ThreeControllersTwoBrokers_FormOneCluster_AndCtrlCStopsEveryChild()
    {
        using var data = new TempDirectory();
        await using var host = AppHostProcess.Start("--brokers", "2", "--cells", "2", "--port", "0", "--data-dir", data.Path);
        var ready = await host.WaitForLineAsync(l => l.StartsWith(ReadyPrefix, StringComparison.Ordinal), ReadyTimeout);
        var bootstrap = ready[ReadyPrefix.Length..].Split(',');
        Assert.Equal(2, bootstrap.Length);
        var brokers = host.Lines.Select(l => StartedLine().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        Assert.Equal(["broker-1", "broker-2", "controller-1", "controller-2", "controller-3"], brokers.Keys.Order());
        Assert.Equal(brokers.Values.Order(), ProcessTable.Children(host.Id).Order());
        // Controllers first: a broker starts only once every controller is healthy.
        var lastControllerHealthy = host.Lines.ToList().FindLastIndex(l => l.StartsWith("[apphost] controller-", StringComparison.Ordinal) && l.Contains(" is healthy", StringComparison.Ordinal));
        var firstBrokerStarted = host.Lines.ToList().FindIndex(l => l.StartsWith("[apphost] broker-", StringComparison.Ordinal) && l.Contains(" started ", StringComparison.Ordinal));
        Assert.True(lastControllerHealthy >= 0 && lastControllerHealthy < firstBrokerStarted, string.Join("\n", host.Lines));

        // Both brokers joined the controllers' cluster: each lists both, at the addresses the host chose.
        for (var i = 0; i < 2; i++)
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap[i] }).Build();
            await Eventually.TrueAsync(() => admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Count == 2, "both brokers listed", TimeSpan.FromSeconds(15));
            var listed = admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers;
            Assert.Equal([1, 2], listed.Select(b => b.BrokerId).Order());
            Assert.Equal(bootstrap.Order(), listed.Select(b => $"{b.Host}:{b.Port}").Order());
        }
        await ProduceAndFetchAsync(bootstrap[0]);

        Assert.True(Directory.Exists(Path.Combine(data.Path, "broker-1")));
        Assert.True(Directory.Exists(Path.Combine(data.Path, "broker-2")));
        Assert.True(Directory.Exists(Path.Combine(data.Path, "controller-1")));
        Assert.Contains("KORA_BROKER_READY kafka=" + bootstrap[1], await File.ReadAllTextAsync(Path.Combine(data.Path, "logs", "broker-2.log")));

        await host.SignalAsync("INT");
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.All(brokers, b => Assert.False(ProcessTable.IsAlive(b.Value), $"{b.Key} outlived the host"));
        Assert.Contains("[apphost] broker-1 stopped (exit code 0)", host.Lines);
        Assert.Contains("[apphost] broker-2 stopped (exit code 0)", host.Lines);
        Assert.Contains("[apphost] controller-3 stopped (exit code 0)", host.Lines);
        Assert.Equal("[apphost] every resource has stopped", host.Lines[^1]);
    }

    [Fact(Timeout = 180_000)]
    public async Task HostKilled_BrokersDoNotOutliveIt()
    {
        using var data = new TempDirectory();
        await using var host = AppHostProcess.Start("--port", "0", "--data-dir", data.Path);
        await host.WaitForLineAsync(l => l.StartsWith(ReadyPrefix, StringComparison.Ordinal), ReadyTimeout);
        var children = host.Lines.Where(l => StartedLine().IsMatch(l)).Select(l => int.Parse(StartedLine().Match(l).Groups[2].Value)).ToList();
        Assert.Equal(6, children.Count);
        Assert.All(children, pid => Assert.True(ProcessTable.IsAlive(pid)));

        await host.SignalAsync("KILL");
        await host.WaitForExitAsync(TimeSpan.FromSeconds(10));
        foreach (var pid in children)
        {
            Assert.True(await ProcessTable.WaitForExitAsync(pid, TimeSpan.FromSeconds(10)), $"process {pid} outlived its killed host");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Publish_WritesTheFleetGraph()
    {
        using var output = new TempDirectory();
        await using var host = AppHostProcess.Start("publish", "--target", "azure", "--output", output.Path, "--brokers", "3", "--cells", "2");
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output.File("aspire-manifest.json")));
        var resources = manifest.RootElement.GetProperty("resources");
        Assert.Equal(["controller-1", "controller-2", "controller-3", "broker-1", "broker-2", "broker-3"], resources.EnumerateObject().Select(r => r.Name));
        var brokers = resources.EnumerateObject().Where(r => r.Name.StartsWith("broker-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["1", "2", "1"], brokers.Select(r => r.Value.GetProperty("env").GetProperty("Kora__Broker__Cell").GetString()));
        Assert.All(brokers, b => Assert.Equal(
            resources.GetProperty("controller-1").GetProperty("env").GetProperty("Kora__Controller__QuorumVoters").GetString(),
            b.Value.GetProperty("env").GetProperty("Kora__Broker__ControllerQuorumVoters").GetString()));
        Assert.True(File.Exists(output.File("docker-compose.yaml")));
        Assert.True(File.Exists(output.File("DEPLOY-azure.md")));
    }

    [Fact(Timeout = 60_000)]
    public async Task InvalidFleetShape_ExitsWithUsageError()
    {
        await using var host = AppHostProcess.Start("--brokers", "2", "--cells", "3");
        Assert.Equal(2, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("--cells must be between 1 and the number of brokers, 2 (got 3).", host.StandardError);
    }

    private static async Task ProduceAndFetchAsync(string bootstrap)
    {
        var topic = "apphost-" + Guid.NewGuid().ToString("N")[..8];
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
        }
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "apphost-test",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new StringBuilder();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        for (var received = 0; received < 10;)
        {
            Assert.True(DateTime.UtcNow < deadline, "records were not fetched in time");
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } record)
            {
                Assert.Equal(received, record.Offset.Value);
                values.Append(record.Message.Value).Append(' ');
                received++;
            }
        }
        Assert.Equal("v0 v1 v2 v3 v4 v5 v6 v7 v8 v9 ", values.ToString());
    }
}
