using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Compaction;

/// <summary>
/// A compacted topic with tiny segments on a broker whose cleaner runs every 200 ms: a real producer writes many
/// values per key, compressed, plus tombstones; consumers then see one record per key, and the tombstones go once
/// delete.retention.ms has passed.
/// </summary>
public sealed class CompactionTests : IAsyncLifetime
{
    private const int Keys = 30;
    private const int Rounds = 40;
    private const int DeletedKeys = 5;
    private BrokerProcess _broker = null!;

    public async Task InitializeAsync() =>
        _broker = await BrokerProcess.StartAsync(new Dictionary<string, string> { ["LogCleanerBackoffMs"] = "200" });

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Theory]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task CompactedTopic_ConsumersReadTheLastValuePerKey_AndTombstonesExpire(CompressionType codec)
    {
        var topic = $"compacted-{codec}-{Guid.NewGuid():N}".ToLowerInvariant();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic,
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string>
                {
                    ["cleanup.policy"] = "compact",
                    ["segment.bytes"] = "4096",
                    ["segment.ms"] = "100",
                    ["min.cleanable.dirty.ratio"] = "0.01",
                    ["delete.retention.ms"] = "4000",
                },
            }]);
        }
        using (var producer = new ProducerBuilder<string, string?>(new ProducerConfig
        {
            BootstrapServers = _broker.BootstrapServers,
            CompressionType = codec,
            LingerMs = 2,
        }).Build())
        {
            for (var round = 0; round < Rounds; round++)
            {
                for (var k = 0; k < Keys; k++)
                {
                    producer.Produce(topic, new Message<string, string?> { Key = $"key-{k}", Value = $"value-{round}-{k}-{new string('x', 40)}" });
                }
                producer.Flush(TimeSpan.FromSeconds(10));
            }
            for (var k = 0; k < DeletedKeys; k++)
            {
                producer.Produce(topic, new Message<string, string?> { Key = $"key-{k}", Value = null });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(10)));
            // segment.ms has passed by the next append, so the tombstones' segment rolls and becomes cleanable.
            await Task.Delay(300);
            await producer.ProduceAsync(topic, new Message<string, string?> { Key = "end", Value = "end" });
        }
        var total = (Keys * Rounds) + DeletedKeys + 1;

        var compacted = await WaitForAsync(topic, records => records.Count == Keys + 1, "one record per key");
        Assert.Equal(compacted.Select(r => r.Key).Distinct().Count(), compacted.Count);
        for (var k = DeletedKeys; k < Keys; k++)
        {
            Assert.Equal($"value-{Rounds - 1}-{k}-{new string('x', 40)}", compacted.Single(r => r.Key == $"key-{k}").Value);
        }
        var deleted = Enumerable.Range(0, DeletedKeys).Select(k => $"key-{k}").ToHashSet();
        Assert.All(compacted.Where(r => deleted.Contains(r.Key)), r => Assert.Null(r.Value));
        Assert.Equal(total - 1, compacted[^1].Offset);
        Assert.True(compacted[0].Offset > 0, "offsets keep their gaps");

        var expired = await WaitForAsync(topic, records => records.Count == Keys + 1 - DeletedKeys, "tombstones gone after delete.retention.ms");
        Assert.DoesNotContain(expired, r => r.Value is null);
        Assert.Equal(total - 1, expired[^1].Offset);

        // kcat (librdkafka 2.0) reads the compacted log, gaps and all, the same way.
        var kcat = await ExternalCommand.RunAsync("kcat",
            ["-C", "-b", _broker.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-f", "%o|%k|%s\\n"]);
        Assert.True(kcat.ExitCode == 0, kcat.StdErr);
        Assert.Equal(expired.Select(r => $"{r.Offset}|{r.Key}|{r.Value}"), kcat.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        using var http = new HttpClient { BaseAddress = new Uri($"http://{_broker.HttpEndPoint}") };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("kora_broker_log_cleaner_bytes_cleaned_total", metrics, StringComparison.Ordinal);
        Assert.Contains("kora_broker_log_cleaner_records_removed_total", metrics, StringComparison.Ordinal);
        Assert.Contains("kora_broker_log_cleaner_last_run", metrics, StringComparison.Ordinal);
    }

    private async Task<List<(long Offset, string Key, string? Value)>> WaitForAsync(
        string topic, Func<List<(long Offset, string Key, string? Value)>, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        List<(long, string, string?)> records = [];
        while (DateTime.UtcNow < deadline)
        {
            records = ReadAll(topic);
            if (done(records))
            {
                return records;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Waited for {what}; last read {records.Count} records.\n{_broker.Output}");
    }

    private List<(long Offset, string Key, string? Value)> ReadAll(string topic)
    {
        using var consumer = new ConsumerBuilder<string, string?>(new ConsumerConfig
        {
            BootstrapServers = _broker.BootstrapServers,
            GroupId = "unused-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = new List<(long, string, string?)>();
        while (true)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("No end of partition within 10 s.");
            if (result.IsPartitionEOF)
            {
                return records;
            }
            records.Add((result.Offset.Value, result.Message.Key, result.Message.Value));
        }
    }
}
