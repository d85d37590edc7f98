using Confluent.Kafka;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Transactions;

/// <summary>The coordinator's state survives a broker restart: a transaction open across it can still be committed.</summary>
public class TransactionRecoveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TransactionInFlight_SurvivesABrokerRestart(bool kill)
    {
        await using var broker = await BrokerProcess.StartAsync(TransactionFixture.Settings);
        var topic = await TransactionFixture.CreateTopicAsync(broker.BootstrapServers, "txn-restart", 2);
        var group = $"restart-{Guid.NewGuid():N}";
        using var producer = TransactionFixture.TransactionalProducer(broker.BootstrapServers, $"tx-{Guid.NewGuid():N}", timeoutMs: 60_000);
        producer.InitTransactions(Deadline);

        producer.BeginTransaction();
        for (var i = 0; i < 50; i++)
        {
            producer.Produce(new TopicPartition(topic, i % 2), new Message<string, string> { Key = $"k{i}", Value = "before" });
        }
        producer.Flush(Deadline);
        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group }).Build())
        {
            producer.SendOffsetsToTransaction([new TopicPartitionOffset(topic, 0, 25)], consumer.ConsumerGroupMetadata, Deadline);
        }

        if (kill)
        {
            await broker.KillAsync();
        }
        else
        {
            await broker.StopAsync();
        }
        await broker.StartAsync();

        for (var i = 0; i < 50; i++)
        {
            producer.Produce(new TopicPartition(topic, i % 2), new Message<string, string> { Key = $"k{i}", Value = "after" });
        }
        producer.CommitTransaction(Deadline);

        var committed = TransactionFixture.ReadAll(broker.BootstrapServers, topic, 2, IsolationLevel.ReadCommitted, 100, Deadline);
        Assert.Equal(50, committed.Count(r => r.Message.Value == "before"));
        Assert.Equal(50, committed.Count(r => r.Message.Value == "after"));
        using var check = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group }).Build();
        Assert.Equal(25, check.Committed([new TopicPartition(topic, 0)], Deadline).Single().Offset.Value);

        // And after one more restart, the committed outcome is what the logs replay.
        await broker.KillAsync();
        await broker.StartAsync();
        Assert.Equal(100, TransactionFixture.ReadAll(broker.BootstrapServers, topic, 2, IsolationLevel.ReadCommitted, 100, Deadline).Count);
        using var again = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group }).Build();
        Assert.Equal(25, again.Committed([new TopicPartition(topic, 0)], Deadline).Single().Offset.Value);
    }
}
