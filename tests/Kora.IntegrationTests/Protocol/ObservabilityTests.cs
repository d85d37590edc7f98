using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Protocol;

/// <summary>The broker's health endpoints and Prometheus metrics, read over HTTP from the real process.</summary>
public class ObservabilityTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task HealthAndAlive_AreHealthy()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{fixture.Broker.HttpEndPoint}") };
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
        Assert.Equal("Healthy", await http.GetStringAsync("/alive"));
    }

    [Fact]
    public async Task Metrics_CountRequestsPerApiAndVersion_AndBytes()
    {
        var topic = $"metrics-{Guid.NewGuid():N}";
        var produce = await ExternalCommand.RunAsync("kcat", ["-P", "-b", fixture.Broker.BootstrapServers, "-t", topic, "-X", "acks=all"], stdin: "one\ntwo\n");
        Assert.True(produce.ExitCode == 0, produce.StdErr);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{fixture.Broker.HttpEndPoint}") };
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("kora_broker_requests_total{api=\"Produce\",version=\"7\"}", metrics);
        Assert.Contains("kora_broker_network_bytes_in_total", metrics);
        Assert.Contains("kora_broker_produce_records_total", metrics);
        Assert.Contains("kora_broker_log_flush_duration_count", metrics);
        Assert.Contains("kora_broker_request_duration_bucket{api=\"Produce\",le=\"+Inf\"}", metrics);
        Assert.Contains("kora_broker_partitions", metrics);
    }
}
