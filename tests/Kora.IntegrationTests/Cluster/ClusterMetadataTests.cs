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
        await ClusterFleet.WaitUntilAsync(
            () => fleet.Brokers.All(b => ClusterFleet.Describe(b).Brokers.Select(x => x.BrokerId).Order().SequenceEqual([101, 102, 103])),
            TimeSpan.FromSeconds(10), fleet.Output);

        var names = Enumerable.Range(0, 100).Select(i => $"cluster-topic-{i:D3}").ToList();
        var clock = Stopwatch.StartNew();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.Brokers[0].BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync(names.Select(n => new TopicSpecification { Name = n, NumPartitions = 3, ReplicationFactor = 1 }));
        }
        output.WriteLine($"100 topics created in {ControllerQuorum.Ms(clock.Elapsed)}");

        // The broker that took the request answers once its own image has the topics.
        var first = ClusterFleet.Describe(fleet.Brokers[0]);
        Assert.All(names, n => Assert.Contains(first.Topics, t => t.Topic == n));
        var visible = await ClusterFleet.WaitUntilAsync(
            () => fleet.Brokers.All(b => ClusterFleet.Describe(b).Topics.Count(t => names.Contains(t.Topic) && t.Partitions.Count == 3) == names.Count),
            TimeSpan.FromSeconds(30), fleet.Output);
        output.WriteLine($"visible on every broker {ControllerQuorum.Ms(visible)} later");

        var leaders = ClusterFleet.Describe(fleet.Brokers[2]).Topics.Where(t => names.Contains(t.Topic)).SelectMany(t => t.Partitions).GroupBy(p => p.Leader).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([101, 102, 103], leaders.Keys.Order());
        Assert.All(leaders.Values, count => Assert.InRange(count, 60, 140));

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.Brokers[1].BootstrapServers }).Build())
        {
            var again = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = names[0], NumPartitions = 1, ReplicationFactor = 1 }]));
            Assert.Equal(ErrorCode.TopicAlreadyExists, again.Results.Single().Error.Code);
            await admin.DeleteTopicsAsync([names[1]]);
            Assert.DoesNotContain(ClusterFleet.Describe(fleet.Brokers[1]).Topics, t => t.Topic == names[1]);
            await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = names[2], IncreaseTo = 5 }]);
            Assert.Equal(5, ClusterFleet.Describe(fleet.Brokers[1]).Topics.Single(t => t.Topic == names[2]).Partitions.Count);
            await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [new ConfigResource { Type = ResourceType.Topic, Name = names[3] }] = [new ConfigEntry { Name = "retention.ms", Value = "3600000", IncrementalOperation = AlterConfigOpType.Set }],
            });
            var described = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = names[3] }]);
            Assert.Equal("3600000", described.Single().Entries["retention.ms"].Value);
        }
    }
}
