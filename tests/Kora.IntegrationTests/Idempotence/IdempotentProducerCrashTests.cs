using System.Collections.Concurrent;
using Confluent.Kafka;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Idempotence;

/// <summary>
/// librdkafka's idempotent producer against broker crashes: retries of batches the broker already wrote
/// must be recognised after recovery, so nothing is duplicated or reordered.
/// </summary>
public class IdempotentProducerCrashTests
{
    private const int Partitions = 3;
    private const int Messages = 20_000;

    [Fact]
    public async Task KilledTwiceDuringIdempotentProduction_EveryAcknowledgedMessageIsReadExactlyOnceInOrder()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var topic = BrokerFixture.UniqueTopic("idem-crash");
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = Partitions, ReplicationFactor = 1 }]);
        }

        var acknowledged = new ConcurrentDictionary<(int Partition, long Offset), string>();
        var failures = new ConcurrentQueue<string>();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            BatchNumMessages = 200,
            MessageTimeoutMs = 180_000,
            ReconnectBackoffMs = 100,
            ReconnectBackoffMaxMs = 1000,
        }).Build())
        {
            int[] killAt = [6_000, 13_000];
            for (var i = 0; i < Messages; i++)
            {
                producer.Produce(new TopicPartition(topic, i % Partitions), new Message<Null, string> { Value = $"m-{i}" }, report =>
                {
                    if (report.Error.Code == ErrorCode.NoError)
                    {
                        acknowledged[(report.Partition.Value, report.Offset.Value)] = report.Message.Value;
                    }
                    else
                    {
                        failures.Enqueue($"{report.Message.Value}: {report.Error}");
                    }
                });
                if (i % 250 == 0)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(5));
                }
                if (killAt.Contains(i))
                {
                    // Kill with batches in flight: their retries reach a broker that must know them from recovery.
                    var deadline = DateTime.UtcNow.AddSeconds(30);
                    while (acknowledged.Count < i / 2 && DateTime.UtcNow < deadline)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                    await broker.KillAsync();
                    await broker.StartAsync();
                }
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(180)));
        }
        Assert.True(failures.IsEmpty, $"{failures.Count} deliveries failed, e.g. {string.Join("; ", failures.Take(3))}");
        Assert.Equal(Messages, acknowledged.Count);

        var consumed = Consume(broker, topic);

        var values = consumed.SelectMany(p => p.Value).Select(r => r.Value).ToList();
        var duplicates = values.GroupBy(v => v).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        Assert.True(duplicates.Count == 0, $"duplicated in the log: {string.Join(", ", duplicates)}");
        Assert.Equal(Messages, values.Count);
        foreach (var ((partition, offset), value) in acknowledged)
        {
            Assert.True(consumed[partition].Contains((offset, value)), $"acknowledged {value} at {partition}/{offset} is not there");
        }
        foreach (var (partition, records) in consumed)
        {
            var sequence = records.Select(r => int.Parse(r.Value.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.True(sequence.SequenceEqual(sequence.Order()), $"partition {partition} is out of order");
            Assert.All(sequence, n => Assert.Equal(partition, n % Partitions));
        }
    }

    private static Dictionary<int, List<(long Offset, string Value)>> Consume(BrokerProcess broker, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "unused",
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
        }).Build();
        var ends = new long[Partitions];
        for (var p = 0; p < Partitions; p++)
        {
            ends[p] = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value;
        }
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var consumed = Enumerable.Range(0, Partitions).ToDictionary(p => p, _ => new List<(long, string)>());
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (consumed.Sum(p => p.Value.Count) < ends.Sum() && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(1));
            if (record is { IsPartitionEOF: false })
            {
                consumed[record.Partition.Value].Add((record.Offset.Value, record.Message.Value));
            }
        }
        return consumed;
    }
}
