using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kora.IntegrationTests.Cluster;

/// <summary>Three controllers and three brokers in cluster mode: registration, forwarded admin changes, the image on every broker.</summary>
public class ClusterMetadataTests(ITestOutputHelper output)
{
    [Fact(Timeout = 180_000)]
    public async Task Topics_created_through_any_broker_appear_on_every_broker()
    {
        await using var fleet = await ClusterFleet.StartAsync();
        // Each broker is ready once it is unfenced itself; it learns of the others' unfencing a moment later.
        await fleet.WaitForBrokersAsync(TimeSpan.FromSeconds(10));

        var names = Enumerable.Range(0, 100).Select(i => $"cluster-topic-{i:D3}").ToList();
        var clock = Stopwatch.StartNew();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.Brokers[0].BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync(names.Select(n => new TopicSpecification { Name = n, NumPartitions = 3, ReplicationFactor = 1 }));
        }
        output.WriteLine($"100 topics created in {ControllerQuorum.Ms(clock.Elapsed)}");

        // The broker that took the request answers once its own image has the topics.
        var first = (await ClusterFleet.DescribeAsync(fleet.Brokers[0]));
        Assert.All(names, n => Assert.Contains(first.Topics, t => t.Topic == n));
        var visible = await ClusterFleet.WaitUntilAsync(
            async () =>
            {
                foreach (var broker in fleet.Brokers)
                {
                    if ((await ClusterFleet.DescribeAsync(broker)).Topics.Count(t => names.Contains(t.Topic) && t.Partitions.Count == 3) != names.Count)
                    {
                        return false;
                    }
                }
                return true;
            },
            TimeSpan.FromSeconds(30), fleet.Output);
        output.WriteLine($"visible on every broker {ControllerQuorum.Ms(visible)} later");

        var leaders = (await ClusterFleet.DescribeAsync(fleet.Brokers[2])).Topics.Where(t => names.Contains(t.Topic)).SelectMany(t => t.Partitions).GroupBy(p => p.Leader).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([101, 102, 103], leaders.Keys.Order());
        Assert.All(leaders.Values, count => Assert.InRange(count, 60, 140));

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.Brokers[1].BootstrapServers }).Build())
        {
            var again = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = names[0], NumPartitions = 1, ReplicationFactor = 1 }]));
            Assert.Equal(ErrorCode.TopicAlreadyExists, again.Results.Single().Error.Code);
            await admin.DeleteTopicsAsync([names[1]]);
            Assert.DoesNotContain((await ClusterFleet.DescribeAsync(fleet.Brokers[1])).Topics, t => t.Topic == names[1]);
            await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = names[2], IncreaseTo = 5 }]);
            Assert.Equal(5, (await ClusterFleet.DescribeAsync(fleet.Brokers[1])).Topics.Single(t => t.Topic == names[2]).Partitions.Count);
            await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [new ConfigResource { Type = ResourceType.Topic, Name = names[3] }] = [new ConfigEntry { Name = "retention.ms", Value = "3600000", IncrementalOperation = AlterConfigOpType.Set }],
            });
            var described = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = names[3] }]);
            Assert.Equal("3600000", described.Single().Entries["retention.ms"].Value);
        }
    }

    /// <summary>
    /// The controllers notice a dead leader when their fetch timeout (1000 ms here) runs out, as in Kafka;
    /// the broker retries the forwarded CreateTopics at the new leader, so the client just sees a slower answer.
    /// </summary>
    [Fact(Timeout = 400_000)]
    public async Task Killing_the_controller_leader_ten_times_CreateTopics_through_a_broker_resumes()
    {
        await using var fleet = await ClusterFleet.StartAsync(controllerSettings: new Dictionary<string, string> { ["FetchTimeoutMs"] = "1000", ["ElectionTimeoutMs"] = "500" });
        var resumed = new List<TimeSpan>();
        for (var round = 0; round < 10; round++)
        {
            var leader = await fleet.Quorum.LeaderAsync(TimeSpan.FromSeconds(30));
            var broker = fleet.Brokers[round % 3];
            await leader.KillAsync();
            var clock = Stopwatch.StartNew();
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
            {
                try
                {
                    await admin.CreateTopicsAsync([new TopicSpecification { Name = $"after-kill-{round}", NumPartitions = 1, ReplicationFactor = 1 }],
                        new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
                }
                catch (CreateTopicsException e) when (e.Results.Single().Error.Code == ErrorCode.TopicAlreadyExists)
                {
                    // The forwarded request committed on the dying controller's successor and its answer was lost; the broker's
                    // retry then finds the topic, which is what a Kafka client sees too.
                }
            }
            resumed.Add(clock.Elapsed);
            Assert.Contains((await ClusterFleet.DescribeAsync(broker)).Topics, t => t.Topic == $"after-kill-{round}");
            var newLeader = await fleet.Quorum.LeaderAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(leader.NodeId, newLeader.NodeId);
            await leader.StartAsync();
        }
        var sorted = resumed.Order().ToList();
        output.WriteLine($"CreateTopics through a broker resumed after a leader kill: median {ControllerQuorum.Ms(sorted[sorted.Count / 2])}, "
            + $"max {ControllerQuorum.Ms(sorted[^1])} ({string.Join(", ", resumed.Select(ControllerQuorum.Ms))})");
        Assert.True(sorted[sorted.Count / 2] < TimeSpan.FromSeconds(5), "median failover too slow");
    }
}
