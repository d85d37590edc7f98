using System.Collections.Concurrent;
using Confluent.Kafka;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Durability;

/// <summary>kill -9 while an acks=all producer runs, then restart: every acknowledged message is readable.</summary>
public class CrashRecoveryTests
{
    [Fact]
    public async Task KillDuringAcksAllProduction_EveryAcknowledgedMessageSurvivesRestart()
    {
        await using var broker = await BrokerProcess.StartAsync();
        const int partitions = 4;
        var topic = $"crash-{Guid.NewGuid():N}";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        }

        var acknowledged = new ConcurrentDictionary<(int Partition, long Offset), string>();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            Acks = Acks.All,
            LingerMs = 2,
            MessageTimeoutMs = 5000,
            SocketTimeoutMs = 3000,
        }).Build())
        {
            var sent = 0;
            var killAt = 20_000;
            while (sent < 60_000)
            {
                var value = $"m-{sent}";
                try
                {
                    producer.Produce(new TopicPartition(topic, sent % partitions), new Message<Null, string> { Value = value }, report =>
                    {
                        if (report.Error.Code == ErrorCode.NoError && report.Status == PersistenceStatus.Persisted)
                        {
                            acknowledged[(report.Partition.Value, report.Offset.Value)] = report.Message.Value;
                        }
                    });
                }
                catch (ProduceException<Null, string>)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
                sent++;
                if (sent == killAt)
                {
                    // Let a good part be acknowledged, then cut the broker off mid-stream.
                    while (acknowledged.Count < killAt / 2)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                    await broker.KillAsync();
                    break;
                }
            }
            producer.Flush(TimeSpan.FromSeconds(10));
        }
        Assert.True(acknowledged.Count >= 10_000, $"only {acknowledged.Count} acknowledged before the kill");

        await broker.StartAsync();
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "unused",
            EnableAutoCommit = false,
        }).Build();
        var ends = new long[partitions];
        for (var p = 0; p < partitions; p++)
        {
            ends[p] = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value;
        }
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var consumed = new Dictionary<(int, long), string>();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (consumed.Count < ends.Sum() && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(2));
            if (record is not null)
            {
                consumed[(record.Partition.Value, record.Offset.Value)] = record.Message.Value;
            }
        }
        var missing = acknowledged.Where(a => !consumed.TryGetValue(a.Key, out var v) || v != a.Value).Take(5).ToList();
        Assert.True(missing.Count == 0, $"acknowledged but not readable after restart: {string.Join(", ", missing.Select(m => $"{m.Key}={m.Value}"))}");
    }

    [Fact]
    public async Task GracefulStop_FlushesAndRestartsWithTopicsIntact()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var topic = $"restart-{Guid.NewGuid():N}";
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"v{i}" });
            }
        }
        await broker.StopAsync();
        Assert.Equal(0, broker.ExitCode);
        await broker.StartAsync();
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "unused", EnableAutoCommit = false }).Build();
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
        Assert.Equal(100, watermarks.High.Value);
    }
}
