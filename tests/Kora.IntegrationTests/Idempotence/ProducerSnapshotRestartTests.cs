using System.Text.RegularExpressions;
using Confluent.Kafka;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Idempotence;

/// <summary>A clean restart loads the producer state from the snapshot written at close, without reading the log.</summary>
public partial class ProducerSnapshotRestartTests
{
    [Fact]
    public async Task CleanRestart_LoadsTheSnapshot_InsteadOfReadingTheLog()
    {
        var settings = new Dictionary<string, string> { ["Logging:LogLevel:Kora.Broker.Partitions.PartitionManager"] = "Debug" };
        await using var broker = await BrokerProcess.StartAsync(settings);
        var topic = BrokerFixture.UniqueTopic("idem-restart");
        var config = new ProducerConfig { BootstrapServers = broker.BootstrapServers, EnableIdempotence = true, Acks = Acks.All, LingerMs = 1 };
        using (var producer = new ProducerBuilder<Null, string>(config).Build())
        {
            for (var i = 0; i < 500; i++)
            {
                producer.Produce(topic, new Message<Null, string> { Value = $"a-{i}" });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        await broker.StopAsync();
        Assert.Equal(0, broker.ExitCode);

        await broker.StartAsync();

        var loaded = LoadLine().Matches(broker.Output).Where(m => m.Groups["dir"].Value.EndsWith(topic + "-0", StringComparison.Ordinal)).ToList();
        // The first start logged the load of the new, empty partition; the restart's is the last one.
        Assert.Equal(2, loaded.Count);
        var last = loaded[^1];
        Assert.Equal("500", last.Groups["snapshot"].Value);
        Assert.Equal("0", last.Groups["batches"].Value);
        using (var producer = new ProducerBuilder<Null, string>(config).Build())
        {
            var report = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "b" });
            Assert.Equal(500, report.Offset.Value);
        }
    }

    [GeneratedRegex(@"Loaded producer state of (?<dir>\S+): snapshot at offset (?<snapshot>-?\d+), replayed (?<batches>\d+) producer batches")]
    private static partial Regex LoadLine();
}
