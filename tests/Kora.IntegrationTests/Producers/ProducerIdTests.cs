using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;

namespace Kora.IntegrationTests.Producers;

/// <summary>Producer ids come from blocks reserved in the metadata log: never handed out twice, even across a crash.</summary>
public class ProducerIdTests
{
    [Fact]
    public async Task InitProducerId_GivesDistinctIds_AcrossKillAndRestart()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var seen = new HashSet<long>();
        await TakeIdsAsync(broker, 5, version: 4, seen);
        await broker.KillAsync();
        await broker.StartAsync();
        await TakeIdsAsync(broker, 5, version: 1, seen);
        Assert.Equal(10, seen.Count);
    }

    private static async Task TakeIdsAsync(BrokerProcess broker, int count, short version, HashSet<long> seen)
    {
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        for (var i = 0; i < count; i++)
        {
            var response = await client.SendAsync<InitProducerIdResponse>(22, version, new InitProducerIdRequest
            {
                TransactionalId = null,
                TransactionTimeoutMs = 60_000,
            }, flexibleRequest: version >= 2, flexibleResponse: version >= 2);
            Assert.Equal(0, response.ErrorCode);
            Assert.Equal(0, response.ProducerEpoch);
            Assert.True(response.ProducerId >= 0);
            Assert.True(seen.Add(response.ProducerId), $"producer id {response.ProducerId} was given twice");
        }
    }
}
