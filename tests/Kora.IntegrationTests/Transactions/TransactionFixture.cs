using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Transactions;

/// <summary>
/// A broker for the transaction tests: fewer internal partitions than Kafka's 50 (quicker to create), quick
/// group rebalances, and the timed-out transaction sweep every 500 ms instead of every 10 s.
/// </summary>
public sealed class TransactionFixture : IAsyncLifetime
{
    public BrokerProcess Broker { get; private set; } = null!;

    public static Dictionary<string, string> Settings => new()
    {
        ["GroupInitialRebalanceDelayMs"] = "100",
        ["OffsetsTopicNumPartitions"] = "5",
        ["TransactionStateLogNumPartitions"] = "5",
        ["TransactionAbortTimedOutTransactionCleanupIntervalMs"] = "500",
    };

    public async Task InitializeAsync() => Broker = await BrokerProcess.StartAsync(Settings).ConfigureAwait(false);

    public async Task DisposeAsync() => await Broker.DisposeAsync().ConfigureAwait(false);

    public static async Task<string> CreateTopicAsync(string bootstrap, string prefix, int partitions)
    {
        var name = BrokerFixture.UniqueTopic(prefix);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return name;
    }

    public static IProducer<string, string> TransactionalProducer(string bootstrap, string transactionalId, int timeoutMs = 30_000) =>
        new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            TransactionalId = transactionalId,
            TransactionTimeoutMs = timeoutMs,
            SocketTimeoutMs = Math.Min(timeoutMs, 30_000),
            LingerMs = 5,
        }).Build();

    /// <summary>Every message of the partitions, from the beginning up to the end the isolation level lets it see.</summary>
    public static List<ConsumeResult<string, string>> ReadAll(string bootstrap, string topic, int partitions, IsolationLevel isolation, int expected, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"reader-{Guid.NewGuid():N}",
            IsolationLevel = isolation,
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<string, string>>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && (results.Count < expected || atEnd.Count < partitions))
        {
            var result = consumer.Consume(100);
            if (result is null)
            {
                continue;
            }
            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
                continue;
            }
            atEnd.Remove(result.Partition.Value);
            results.Add(result);
        }
        return results;
    }
}
