using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Clients;

/// <summary>Confluent.Kafka (librdkafka 2.15) producer, consumer and admin client against a real broker.</summary>
public class ConfluentClientTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();

    private IConsumer<byte[], byte[]> Consumer() => new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
    {
        BootstrapServers = Bootstrap,
        GroupId = "unused-" + Guid.NewGuid().ToString("N"),
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchWaitMaxMs = 100,
    }).Build();

    private async Task<string> CreateTopicAsync(string prefix, int partitions, Dictionary<string, string>? configs = null)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}";
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
        return name;
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Produce_WithCodec_ConsumesByteIdenticalRecords(CompressionType codec)
    {
        var topic = await CreateTopicAsync("codec", 1);
        var random = new Random(7);
        var sent = new List<(byte[] Key, byte[] Value, byte[] Header)>();
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = Bootstrap, CompressionType = codec, LingerMs = 10 }).Build())
        {
            for (var i = 0; i < 2000; i++)
            {
                var key = Encoding.UTF8.GetBytes($"k{i}");
                var value = new byte[random.Next(0, 600)];
                random.NextBytes(value);
                // Half the values compress well, half do not.
                if (i % 2 == 0)
                {
                    Array.Fill(value, (byte)'x');
                }
                var header = BitConverter.GetBytes(i);
                sent.Add((key, value, header));
                producer.Produce(topic, new Message<byte[], byte[]> { Key = key, Value = value, Headers = new Headers { { "seq", header } } });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        using var consumer = Consumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        for (var i = 0; i < sent.Count; i++)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(30));
            Assert.NotNull(record);
            Assert.Equal(i, record.Offset.Value);
            Assert.Equal(sent[i].Key, record.Message.Key);
            Assert.Equal(sent[i].Value, record.Message.Value);
            Assert.Equal(sent[i].Header, record.Message.Headers.GetLastBytes("seq"));
        }
    }

    [Fact]
    public async Task MillionMessages_TwelvePartitions_NoneLostOrReordered()
    {
        const int partitions = 12;
        const int total = 1_000_000;
        var topic = await CreateTopicAsync("million", partitions);
        var perPartition = new int[partitions];
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = Bootstrap,
            Acks = Acks.Leader,
            LingerMs = 5,
            BatchSize = 256 * 1024,
            QueueBufferingMaxMessages = 500_000,
        }).Build())
        {
            var value = new byte[100];
            for (var i = 0; i < total; i++)
            {
                var partition = i % partitions;
                var sequence = perPartition[partition]++;
                var payload = (byte[])value.Clone();
                BitConverter.TryWriteBytes(payload, sequence);
                while (true)
                {
                    try
                    {
                        producer.Produce(new TopicPartition(topic, partition), new Message<Null, byte[]> { Value = payload });
                        break;
                    }
                    catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(50));
                    }
                }
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromMinutes(2)));
        }

        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "unused",
            EnableAutoCommit = false,
            FetchMaxBytes = 50 * 1024 * 1024,
            MaxPartitionFetchBytes = 4 * 1024 * 1024,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var next = new int[partitions];
        var received = 0;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (received < total && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(5));
            if (record is null)
            {
                continue;
            }
            var p = record.Partition.Value;
            Assert.Equal(next[p], BitConverter.ToInt32(record.Message.Value));
            Assert.Equal(next[p], record.Offset.Value);
            next[p]++;
            received++;
        }
        Assert.Equal(total, received);
        Assert.Equal(perPartition, next);
    }

    [Fact]
    public async Task OffsetsForTimes_FindsFirstRecordAtOrAfterTimestamp()
    {
        var topic = await CreateTopicAsync("times", 1);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"m{i}", Timestamp = new Timestamp(start.AddMinutes(i)) });
            }
        }
        using var consumer = Consumer();
        var found = consumer.OffsetsForTimes([new TopicPartitionTimestamp(topic, 0, new Timestamp(start.AddMinutes(4).AddSeconds(30)))], TimeSpan.FromSeconds(10));
        Assert.Equal(5, found[0].Offset.Value);
        var none = consumer.OffsetsForTimes([new TopicPartitionTimestamp(topic, 0, new Timestamp(start.AddHours(1)))], TimeSpan.FromSeconds(10));
        Assert.Equal(Offset.End, none[0].Offset);
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
        Assert.Equal(0, watermarks.Low.Value);
        Assert.Equal(10, watermarks.High.Value);
    }

    [Fact]
    public async Task AdminRoundTrip_CreateDescribeAlterPartitionDeleteRecordsDelete()
    {
        using var admin = Admin();
        var topic = $"admin-{Guid.NewGuid():N}";
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 3, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "3600000" } }]);

        var duplicate = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, duplicate.Results[0].Error.Code);

        var badConfig = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic + "-x", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "soon" } }]));
        Assert.Equal(ErrorCode.InvalidConfig, badConfig.Results[0].Error.Code);

        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        Assert.Equal(3, metadata.Topics.Single().Partitions.Count);

        var configs = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]);
        Assert.Equal("3600000", configs[0].Entries["retention.ms"].Value);
        Assert.Equal("delete", configs[0].Entries["cleanup.policy"].Value);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = topic }] =
                [new ConfigEntry { Name = "segment.bytes", Value = "1048576", IncrementalOperation = AlterConfigOpType.Set }],
        });
        configs = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]);
        Assert.Equal("1048576", configs[0].Entries["segment.bytes"].Value);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 5 }]);
        Assert.Equal(5, admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count);

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, string> { Value = $"v{i}" });
            }
        }
        var deleted = await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 4)]);
        Assert.Equal(4, deleted[0].Offset.Value);
        using (var consumer = Consumer())
        {
            var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
            Assert.Equal(4, watermarks.Low.Value);
        }

        await admin.DeleteTopicsAsync([topic]);
        var after = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(after.Topics, t => t.Topic == topic);
    }
}
