using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.IntegrationTests.Controller;

/// <summary>AlterPartition on the wire, as a partition leader sends it to the controller quorum.</summary>
public class AlterPartitionTests
{
    private static readonly Dictionary<string, string> Settings = new() { ["BrokerSessionTimeoutMs"] = "600000" };

    [Fact(Timeout = 120_000)]
    public async Task The_active_controller_answers_with_the_partition_and_refuses_stale_senders()
    {
        await using var quorum = await ControllerQuorum.StartAsync(Settings);
        var epoch1 = await quorum.RegisterBrokerAsync(1);
        var epoch2 = await quorum.RegisterBrokerAsync(2);
        var leader = await quorum.LeaderAsync(TimeSpan.FromSeconds(30));
        var created = await ControllerQuorum.CreateTopicAsync(leader, "isr", 1, replicationFactor: 2);
        Assert.Equal((short)ErrorCode.None, created.ErrorCode);
        await using var client = await RawKafkaClient.ConnectAsync(leader.KafkaEndPoint);
        var topicLeader = (await leader.MetadataAsync()).GetProperty("topics").EnumerateArray().Single().GetProperty("partitions")[0].GetProperty("leader").GetInt32();
        var (sender, senderEpoch, other, otherEpoch) = topicLeader == 1 ? (1, epoch1, 2, epoch2) : (2, epoch2, 1, epoch1);

        AlterPartitionRequest Request(long brokerEpoch, params (int Id, long Epoch)[] isr) => new()
        {
            BrokerId = sender,
            BrokerEpoch = brokerEpoch,
            Topics =
            [
                new AlterPartitionRequest.TopicData
                {
                    TopicId = created.TopicId,
                    Partitions =
                    [
                        new AlterPartitionRequest.PartitionData
                        {
                            PartitionIndex = 0,
                            LeaderEpoch = 0,
                            PartitionEpoch = 0,
                            NewIsrWithEpochs = isr.Select(b => new AlterPartitionRequest.BrokerState { BrokerId = b.Id, BrokerEpoch = b.Epoch }).ToList(),
                        },
                    ],
                },
            ],
        };

        var shrunk = await client.SendAsync<AlterPartitionResponse>(AlterPartitionRequest.ApiKey, 3, Request(senderEpoch, (sender, senderEpoch)), flexibleRequest: true, flexibleResponse: true);
        Assert.Equal((short)ErrorCode.None, shrunk.ErrorCode);
        var answer = shrunk.Topics.Single().Partitions.Single();
        Assert.Equal((ErrorCode.None, sender, 0, 1), ((ErrorCode)answer.ErrorCode, answer.LeaderId, answer.LeaderEpoch, answer.PartitionEpoch));
        Assert.Equal([sender], answer.Isr);

        // The same request again carries a partition epoch the first one used up.
        var stale = await client.SendAsync<AlterPartitionResponse>(AlterPartitionRequest.ApiKey, 3, Request(senderEpoch, (sender, senderEpoch), (other, otherEpoch)), flexibleRequest: true, flexibleResponse: true);
        Assert.Equal(ErrorCode.InvalidUpdateVersion, (ErrorCode)stale.Topics.Single().Partitions.Single().ErrorCode);

        var staleBroker = await client.SendAsync<AlterPartitionResponse>(AlterPartitionRequest.ApiKey, 3, Request(senderEpoch + 1000, (sender, senderEpoch)), flexibleRequest: true, flexibleResponse: true);
        Assert.Equal((short)ErrorCode.StaleBrokerEpoch, staleBroker.ErrorCode);

        var follower = quorum.Controllers.First(c => c != leader);
        await using var followerClient = await RawKafkaClient.ConnectAsync(follower.KafkaEndPoint);
        var refused = await followerClient.SendAsync<AlterPartitionResponse>(AlterPartitionRequest.ApiKey, 3, Request(senderEpoch, (sender, senderEpoch)), flexibleRequest: true, flexibleResponse: true);
        Assert.Equal((short)ErrorCode.NotController, refused.ErrorCode);
    }
}
