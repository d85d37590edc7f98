using Confluent.Kafka;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Transactions;

/// <summary>Transactional producers with Confluent.Kafka (librdkafka 2.15): commit, abort, fencing and the coordinator's timeout.</summary>
public class TransactionalProducerTests(TransactionFixture fixture) : IClassFixture<TransactionFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private string Bootstrap => fixture.Broker.BootstrapServers;

    private static void ProduceBatch(IProducer<string, string> producer, string topic, int partitions, string tag, int count)
    {
        for (var i = 0; i < count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = $"{tag}-{i}", Value = tag });
        }
        producer.Flush(Deadline);
    }

    [Fact]
    public async Task CommitAndAbort_ReadCommittedSeesOnlyCommittedData()
    {
        var topic = await TransactionFixture.CreateTopicAsync(Bootstrap, "txn", 3);
        using (var producer = TransactionFixture.TransactionalProducer(Bootstrap, $"tx-{Guid.NewGuid():N}"))
        {
            producer.InitTransactions(Deadline);
            producer.BeginTransaction();
            ProduceBatch(producer, topic, 3, "first", 30);
            producer.CommitTransaction(Deadline);

            producer.BeginTransaction();
            ProduceBatch(producer, topic, 3, "aborted", 30);
            producer.AbortTransaction(Deadline);

            producer.BeginTransaction();
            ProduceBatch(producer, topic, 3, "second", 30);
            producer.CommitTransaction(Deadline);
        }

        var committed = TransactionFixture.ReadAll(Bootstrap, topic, 3, IsolationLevel.ReadCommitted, 60, Deadline);
        Assert.Equal(60, committed.Count);
        Assert.DoesNotContain(committed, r => r.Message.Value == "aborted");
        Assert.Equal(30, committed.Count(r => r.Message.Value == "first"));
        Assert.Equal(30, committed.Count(r => r.Message.Value == "second"));

        var everything = TransactionFixture.ReadAll(Bootstrap, topic, 3, IsolationLevel.ReadUncommitted, 90, Deadline);
        Assert.Equal(90, everything.Count);
    }

    [Fact]
    public async Task OpenTransaction_IsInvisibleToReadCommitted_UntilCommitted()
    {
        var topic = await TransactionFixture.CreateTopicAsync(Bootstrap, "txn-open", 1);
        using var producer = TransactionFixture.TransactionalProducer(Bootstrap, $"tx-{Guid.NewGuid():N}");
        producer.InitTransactions(Deadline);
        producer.BeginTransaction();
        ProduceBatch(producer, topic, 1, "pending", 10);
        Assert.Empty(TransactionFixture.ReadAll(Bootstrap, topic, 1, IsolationLevel.ReadCommitted, 0, TimeSpan.FromSeconds(3)));
        Assert.Equal(10, TransactionFixture.ReadAll(Bootstrap, topic, 1, IsolationLevel.ReadUncommitted, 10, Deadline).Count);
        producer.CommitTransaction(Deadline);
        Assert.Equal(10, TransactionFixture.ReadAll(Bootstrap, topic, 1, IsolationLevel.ReadCommitted, 10, Deadline).Count);
    }

    [Fact]
    public async Task SecondProducerWithTheSameTransactionalId_FencesTheFirst()
    {
        var topic = await TransactionFixture.CreateTopicAsync(Bootstrap, "txn-fence", 2);
        var id = $"tx-{Guid.NewGuid():N}";
        using var zombie = TransactionFixture.TransactionalProducer(Bootstrap, id);
        zombie.InitTransactions(Deadline);
        zombie.BeginTransaction();
        ProduceBatch(zombie, topic, 2, "zombie", 20);

        using var successor = TransactionFixture.TransactionalProducer(Bootstrap, id);
        successor.InitTransactions(Deadline);
        successor.BeginTransaction();
        ProduceBatch(successor, topic, 2, "successor", 20);
        successor.CommitTransaction(Deadline);

        var error = Assert.ThrowsAny<KafkaException>(() => zombie.CommitTransaction(Deadline));
        Assert.True(error.Error.IsFatal, $"expected a fatal fencing error, got {error.Error}");
        Assert.Contains(error.Error.Code, new[] { ErrorCode.Local_Fenced, ErrorCode.ProducerFenced, ErrorCode.InvalidProducerEpoch });

        var committed = TransactionFixture.ReadAll(Bootstrap, topic, 2, IsolationLevel.ReadCommitted, 20, Deadline);
        Assert.Equal(20, committed.Count);
        Assert.All(committed, r => Assert.Equal("successor", r.Message.Value));
    }

    [Fact]
    public async Task TransactionLeftOpenPastItsTimeout_IsAbortedByTheCoordinator()
    {
        var topic = await TransactionFixture.CreateTopicAsync(Bootstrap, "txn-timeout", 2);
        using var stale = TransactionFixture.TransactionalProducer(Bootstrap, $"tx-{Guid.NewGuid():N}", timeoutMs: 3000);
        stale.InitTransactions(Deadline);
        stale.BeginTransaction();
        ProduceBatch(stale, topic, 2, "stale", 20);

        // After the timeout the coordinator aborts: the stable offset moves past the abandoned data.
        using (var other = TransactionFixture.TransactionalProducer(Bootstrap, $"tx-{Guid.NewGuid():N}"))
        {
            other.InitTransactions(Deadline);
            other.BeginTransaction();
            ProduceBatch(other, topic, 2, "later", 10);
            other.CommitTransaction(Deadline);
        }
        var committed = TransactionFixture.ReadAll(Bootstrap, topic, 2, IsolationLevel.ReadCommitted, 10, Deadline);
        Assert.Equal(10, committed.Count);
        Assert.All(committed, r => Assert.Equal("later", r.Message.Value));

        // The abandoned producer was fenced by the abort's epoch bump: it cannot commit any more.
        Assert.ThrowsAny<KafkaException>(() => stale.CommitTransaction(Deadline));
        Assert.Equal(30, TransactionFixture.ReadAll(Bootstrap, topic, 2, IsolationLevel.ReadUncommitted, 30, Deadline).Count);
    }
}
