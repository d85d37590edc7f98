using System.Diagnostics;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;

namespace Kora.IntegrationTests.Durability;

/// <summary>SIGTERM answers what is waiting instead of leaving clients hanging, then exits cleanly.</summary>
public class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_AnswersALongPollingFetch_ThenExitsCleanly()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var topic = $"shutdown-{Guid.NewGuid():N}";
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        var created = await client.SendAsync<CreateTopicsResponse>(19, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }],
        }, true, true);
        Assert.Equal(0, created.Topics[0].ErrorCode);

        var stopwatch = Stopwatch.StartNew();
        var fetch = client.SendAsync<FetchResponse>(1, 12, new FetchRequest
        {
            MaxWaitMs = 30_000,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1 << 20 }] }],
        }, true, true);
        await Task.Delay(500);
        await broker.StopAsync();
        var response = await fetch;
        Assert.Equal(0, response.Responses[0].Partitions[0].ErrorCode);
        Assert.True(stopwatch.ElapsedMilliseconds < 15_000, $"the fetch was answered after {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(0, broker.ExitCode);
    }
}
