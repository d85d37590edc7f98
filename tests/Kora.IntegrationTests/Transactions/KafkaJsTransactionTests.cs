using System.Text.Json;
using Confluent.Kafka;
using Kora.IntegrationTests.Infrastructure;

namespace Kora.IntegrationTests.Transactions;

/// <summary>kafkajs transactions (older API versions than librdkafka uses): commit, abort, offsets sent in a transaction.</summary>
public class KafkaJsTransactionTests(TransactionFixture fixture) : IClassFixture<TransactionFixture>
{
    [Fact]
    public async Task CommittedAndAbortedTransactions_WithOffsets()
    {
        var topic = BrokerFixture.UniqueTopic("kjs-txn");
        var group = $"kjs-{Guid.NewGuid():N}";
        var result = await ExternalCommand.RunAsync("node",
            [Path.Combine(Repository.NodeClients, "kafkajs-transactions.js"), fixture.Broker.BootstrapServers, topic, group],
            workingDirectory: Repository.NodeClients);
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        using var json = JsonDocument.Parse(result.StdOut.Trim().Split('\n')[^1]);
        Assert.Equal(7, json.RootElement.GetProperty("offset").GetInt64());

        var committed = TransactionFixture.ReadAll(fixture.Broker.BootstrapServers, topic, 2, IsolationLevel.ReadCommitted, 20, TimeSpan.FromSeconds(30));
        Assert.Equal(20, committed.Count);
        Assert.All(committed, r => Assert.Equal("committed", r.Message.Value));
    }
}
