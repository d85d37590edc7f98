using Confluent.Kafka;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;

namespace Kora.IntegrationTests.Transactions;

/// <summary>DescribeProducers: the active producers of each partition, and the start of an open transaction (how a hanging one is found).</summary>
public class DescribeProducersTests(TransactionFixture fixture) : IClassFixture<TransactionFixture>
{
    private const short None = 0;
    private const short UnknownTopicOrPartition = 3;

    [Fact]
    public async Task Lists_idempotent_and_transactional_producers_with_the_open_transactions_start()
    {
        var topic = await TransactionFixture.CreateTopicAsync(fixture.Broker.BootstrapServers, "producers", 2);
        using (var idempotent = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fixture.Broker.BootstrapServers, EnableIdempotence = true }).Build())
        {
            for (var i = 0; i < 5; i++)
            {
                idempotent.Produce(new TopicPartition(topic, 0), new Message<Null, string> { Value = $"i{i}" });
            }
            Assert.Equal(0, idempotent.Flush(TimeSpan.FromSeconds(30)));
        }
        using var transactional = TransactionFixture.TransactionalProducer(fixture.Broker.BootstrapServers, $"describe-{Guid.NewGuid():N}");
        transactional.InitTransactions(TimeSpan.FromSeconds(30));
        transactional.BeginTransaction();
        transactional.Produce(new TopicPartition(topic, 1), new Message<string, string> { Key = "k", Value = "open" });
        Assert.Equal(0, transactional.Flush(TimeSpan.FromSeconds(30)));

        await using var client = await RawKafkaClient.ConnectAsync(fixture.Broker.KafkaEndPoint);
        var open = await DescribeAsync(client, topic, 0, 1, 7);
        var partitions = open.Topics.Single(t => t.Name == topic).Partitions;
        var plain = Assert.Single(partitions.Single(p => p.PartitionIndex == 0).ActiveProducers);
        Assert.Equal(None, partitions.Single(p => p.PartitionIndex == 0).ErrorCode);
        Assert.Equal((0, 4, -1L), (plain.ProducerEpoch, plain.LastSequence, plain.CurrentTxnStartOffset));
        Assert.True(plain.LastTimestamp > 0);
        var hanging = Assert.Single(partitions.Single(p => p.PartitionIndex == 1).ActiveProducers);
        Assert.Equal(0, hanging.CurrentTxnStartOffset);
        Assert.NotEqual(plain.ProducerId, hanging.ProducerId);
        Assert.Equal(UnknownTopicOrPartition, partitions.Single(p => p.PartitionIndex == 7).ErrorCode);
        Assert.Equal(UnknownTopicOrPartition, (await DescribeAsync(client, "no-such-topic", 0)).Topics.Single().Partitions.Single().ErrorCode);

        // Committed: the transaction is no longer open, and the marker's coordinator epoch is recorded.
        transactional.CommitTransaction(TimeSpan.FromSeconds(30));
        var done = Assert.Single((await DescribeAsync(client, topic, 1)).Topics.Single().Partitions.Single().ActiveProducers);
        Assert.Equal(-1, done.CurrentTxnStartOffset);
        Assert.True(done.CoordinatorEpoch >= 0);
    }

    private static Task<DescribeProducersResponse> DescribeAsync(RawKafkaClient client, string topic, params int[] partitions) =>
        client.SendAsync<DescribeProducersResponse>(DescribeProducersRequest.ApiKey, 0, new DescribeProducersRequest
        {
            Topics = [new DescribeProducersRequest.TopicRequest { Name = topic, PartitionIndexes = [.. partitions] }],
        }, true, true);
}
