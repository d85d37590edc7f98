using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;
using KoraError = Kora.Protocol.Primitives.ErrorCode;

namespace Kora.IntegrationTests.Cluster;

/// <summary>
/// Leadership and replica placement driven by real admin clients against 3 controllers and 3 brokers: ElectLeaders
/// with Confluent.Kafka, partition reassignments with kafkajs. Brokers forward both to the active controller.
/// </summary>
public class ClusterLeadershipTests
{
    [Fact(Timeout = 180_000)]
    public async Task Preferred_and_unclean_elections_through_the_confluent_admin_client()
    {
        await using var fleet = await ClusterFleet.StartAsync();
        var (b1, b2) = (ClusterFleet.FirstBrokerId, ClusterFleet.FirstBrokerId + 1);
        var partition = new TopicPartition("elect", 0);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "elect", NumPartitions = 1, ReplicasAssignments = new() { [0] = [b1, b2] } }]);
            Assert.Equal(ErrorCode.ElectionNotNeeded, await ElectionErrorAsync(admin, ElectionType.Preferred, partition));
            Assert.Equal(ErrorCode.ElectionNotNeeded, await ElectionErrorAsync(admin, ElectionType.Unclean, partition));
            Assert.Equal(ErrorCode.UnknownTopicOrPart, await ElectionErrorAsync(admin, ElectionType.Preferred, new TopicPartition("elect", 7)));
            // Every partition: those already led by their preferred replica are left out of the answer.
            Assert.Empty((await admin.ElectLeadersAsync(ElectionType.Preferred, null)).TopicPartitions);
        }

        // Controlled shutdowns: leadership moves to b2, then b2 is the last ISR member and the partition goes offline.
        await fleet.Broker(b1).StopAsync();
        await WaitForLeaderAsync(fleet, fleet.Broker(b2), b2);
        await fleet.Broker(b2).StopAsync();
        await fleet.Broker(b1).StartAsync();
        await WaitForLeaderAsync(fleet, fleet.Broker(b1), -1);

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.Broker(b1).BootstrapServers }).Build())
        {
            // b1 is back but not in the ISR, and unclean election is off for the topic: it stays offline until asked.
            Assert.Equal(ErrorCode.PreferredLeaderNotAvailable, await ElectionErrorAsync(admin, ElectionType.Preferred, partition));
            var elected = await admin.ElectLeadersAsync(ElectionType.Unclean, [partition]);
            Assert.Equal(ErrorCode.NoError, elected.TopicPartitions.Single().Error.Code);
        }
        await WaitForLeaderAsync(fleet, fleet.Broker(b1), b1);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_reassignment_started_with_kafkajs_is_listed_and_cancelled()
    {
        await using var fleet = await ClusterFleet.StartAsync();
        var (b1, b2, b3) = (ClusterFleet.FirstBrokerId, ClusterFleet.FirstBrokerId + 1, ClusterFleet.FirstBrokerId + 2);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "moving", NumPartitions = 1, ReplicasAssignments = new() { [0] = [b1, b2] } }]);
        }
        // b3 is registered but stopped, so it cannot join the ISR: the reassignment stays in progress whatever replication does.
        await fleet.Broker(b3).StopAsync();

        var result = await ExternalCommand.RunAsync("node",
            [Path.Combine(Repository.NodeClients, "kafkajs-reassign.js"), fleet.Broker(b1).BootstrapServers, "moving", $"{b3},{b1}"],
            workingDirectory: Repository.NodeClients);
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        using var json = JsonDocument.Parse(result.StdOut.Trim().Split('\n')[^1]);
        var listed = json.RootElement.GetProperty("listed").EnumerateArray().Single();
        Assert.Equal("moving", listed.GetProperty("name").GetString());
        var ongoing = listed.GetProperty("partitions").EnumerateArray().Single();
        Assert.Equal([b3, b1, b2], Ints(ongoing.GetProperty("replicas")));
        Assert.Equal([b3], Ints(ongoing.GetProperty("addingReplicas")));
        Assert.Equal([b2], Ints(ongoing.GetProperty("removingReplicas")));
        Assert.Equal(["INVALID_REPLICA_ASSIGNMENT"], Strings(json.RootElement.GetProperty("invalid")));
        Assert.Equal(["UNKNOWN_TOPIC_OR_PARTITION"], Strings(json.RootElement.GetProperty("unknown")));

        // kafkajs cannot cancel (it requires a replica list): a raw request with null replicas does.
        await using var client = await RawKafkaClient.ConnectAsync(fleet.Broker(b2).KafkaEndPoint);
        Assert.Equal(KoraError.None, await CancelAsync(client));
        var after = await client.SendAsync<ListPartitionReassignmentsResponse>(ListPartitionReassignmentsRequest.ApiKey, 0, new ListPartitionReassignmentsRequest { Topics = null },
            flexibleRequest: true, flexibleResponse: true);
        Assert.Empty(after.Topics);
        Assert.Equal(KoraError.NoReassignmentInProgress, await CancelAsync(client));
        var metadata = await client.SendAsync<MetadataResponse>(MetadataRequest.ApiKey, 12, new MetadataRequest { Topics = null, AllowAutoTopicCreation = false },
            flexibleRequest: true, flexibleResponse: true);
        Assert.Equal([b1, b2], metadata.Topics.Single(t => t.Name == "moving").Partitions.Single().ReplicaNodes.Order());
    }

    private static async Task<KoraError> CancelAsync(RawKafkaClient client)
    {
        var response = await client.SendAsync<AlterPartitionReassignmentsResponse>(AlterPartitionReassignmentsRequest.ApiKey, 0, new AlterPartitionReassignmentsRequest
        {
            Topics = [new AlterPartitionReassignmentsRequest.ReassignableTopic { Name = "moving", Partitions = [new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = 0, Replicas = null }] }],
        }, flexibleRequest: true, flexibleResponse: true);
        Assert.Equal(0, response.ErrorCode);
        return (KoraError)response.Responses.Single().Partitions.Single().ErrorCode;
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>The error of the one partition an election names (ElectLeadersException carries the per-partition errors).</summary>
    private static async Task<ErrorCode> ElectionErrorAsync(IAdminClient admin, ElectionType type, TopicPartition partition)
    {
        try
        {
            return (await admin.ElectLeadersAsync(type, [partition])).TopicPartitions.Single().Error.Code;
        }
        catch (ElectLeadersException e)
        {
            return e.Results.TopicPartitions.Single().Error.Code;
        }
    }

    private static Task WaitForLeaderAsync(ClusterFleet fleet, BrokerProcess broker, int leader) => ClusterFleet.WaitUntilAsync(
        async () => (await ClusterFleet.DescribeAsync(broker)).Topics.SingleOrDefault(t => t.Topic == "elect")?.Partitions[0].Leader == leader,
        TimeSpan.FromSeconds(30), fleet.Output);
}
