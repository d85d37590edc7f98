using System.Diagnostics.Metrics;
using Kora.ServiceDefaults.Metrics;

namespace Kora.AppHost.Tests;

public class PrometheusCollectorTests
{
    [Fact]
    public void Scrape_RendersCountersGaugesAndHistograms()
    {
        using var collector = new PrometheusCollector();
        using var meter = new Meter("Kora.Test." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("kora.test.requests", description: "Requests.");
        var histogram = meter.CreateHistogram<double>("kora.test.latency", "ms");
        meter.CreateObservableGauge("kora.test.partitions", () => 42L);
        counter.Add(2, new KeyValuePair<string, object?>("api", "Produce"));
        counter.Add(3, new KeyValuePair<string, object?>("api", "Produce"));
        histogram.Record(0.3);
        histogram.Record(7);

        var text = collector.Scrape();
        Assert.Contains("# TYPE kora_test_requests counter", text);
        Assert.Contains("kora_test_requests_total{api=\"Produce\"} 5", text);
        Assert.Contains("kora_test_partitions 42", text);
        Assert.Contains("kora_test_latency_bucket{le=\"0.5\"} 1", text);
        Assert.Contains("kora_test_latency_bucket{le=\"10\"} 2", text);
        Assert.Contains("kora_test_latency_count 2", text);
        Assert.Contains("kora_test_latency_sum 7.3", text);
    }
}
