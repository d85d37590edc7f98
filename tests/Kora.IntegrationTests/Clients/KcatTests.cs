using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Clients;

/// <summary>kcat (librdkafka) producing with every codec and consuming the same bytes back.</summary>
public class KcatTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task ProduceThenConsume_WithCodec_ReadsBackIdenticalMessages(string codec)
    {
        var topic = $"kcat-{codec}-{Guid.NewGuid():N}";
        var messages = Enumerable.Range(0, 500).Select(i => $"key-{i}:value-{i}-{new string((char)('a' + i % 26), i % 97)}").ToList();
        var produce = await ExternalCommand.RunAsync("kcat",
            ["-P", "-b", fixture.Broker.BootstrapServers, "-t", topic, "-z", codec, "-K", ":", "-X", "linger.ms=20"],
            stdin: string.Join('\n', messages) + "\n");
        Assert.True(produce.ExitCode == 0, produce.StdErr);

        var consume = await ExternalCommand.RunAsync("kcat",
            ["-C", "-b", fixture.Broker.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-f", "%k:%s\\n"]);
        Assert.True(consume.ExitCode == 0, consume.StdErr);
        var consumed = consume.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(messages, consumed);
    }

    [Fact]
    public async Task Metadata_ListsTheBrokerAndAutoCreatedTopic()
    {
        var topic = $"kcat-meta-{Guid.NewGuid():N}";
        var produce = await ExternalCommand.RunAsync("kcat", ["-P", "-b", fixture.Broker.BootstrapServers, "-t", topic], stdin: "one\n");
        Assert.True(produce.ExitCode == 0, produce.StdErr);
        var list = await ExternalCommand.RunAsync("kcat", ["-L", "-b", fixture.Broker.BootstrapServers, "-t", topic]);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Contains($"topic \"{topic}\" with 1 partitions", list.StdOut);
        Assert.Contains($"broker 1 at 127.0.0.1:{fixture.Broker.KafkaEndPoint.Port}", list.StdOut);
    }
}
