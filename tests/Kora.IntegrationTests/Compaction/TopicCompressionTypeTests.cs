using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Records;

namespace Kora.IntegrationTests.Compaction;

/// <summary>
/// A topic's compression.type: the broker stores every data batch in that codec whatever the producer sent, and
/// consumers (Confluent.Kafka) read the same records back; <c>producer</c> keeps the producer's codec.
/// </summary>
public class TopicCompressionTypeTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("zstd", CompressionType.None, CompressionCodec.Zstd)]
    [InlineData("lz4", CompressionType.Gzip, CompressionCodec.Lz4)]
    [InlineData("uncompressed", CompressionType.Snappy, CompressionCodec.None)]
    [InlineData("producer", CompressionType.Gzip, CompressionCodec.Gzip)]
    public async Task Batches_are_stored_in_the_topics_codec_and_read_back_unchanged(string compressionType, CompressionType producerCodec, CompressionCodec stored)
    {
        var topic = BrokerFixture.UniqueTopic($"codec-{compressionType}");
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic,
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string> { ["compression.type"] = compressionType },
            }]);
        }
        var sent = Enumerable.Range(0, 300).Select(i => ($"key-{i}", $"value-{i}-{new string((char)('a' + (i % 26)), i % 150)}")).ToList();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = fixture.Broker.BootstrapServers,
            CompressionType = producerCodec,
            EnableIdempotence = true,
            LingerMs = 20,
        }).Build())
        {
            foreach (var (key, value) in sent)
            {
                producer.Produce(topic, new Message<string, string> { Key = key, Value = value });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        // On disk: every batch in the topic's codec, with a valid CRC.
        var segment = await File.ReadAllBytesAsync(Path.Combine(fixture.Broker.DataDir, $"{topic}-0", $"{0:D20}.log"));
        var batches = 0;
        for (var position = 0; position < segment.Length; batches++)
        {
            var batch = new RecordBatch(segment.AsSpan(position));
            Assert.True(batch.IsCrcValid);
            Assert.Equal(stored, batch.Compression);
            position += batch.SizeInBytes;
        }
        Assert.True(batches > 0);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = fixture.Broker.BootstrapServers,
            GroupId = $"codec-reader-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var read = new List<(string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (read.Count < sent.Count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message })
            {
                read.Add((message.Key, message.Value));
            }
        }
        Assert.Equal(sent, read);
    }
}
