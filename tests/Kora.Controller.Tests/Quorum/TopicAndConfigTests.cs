using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Tests.Quorum;

public class TopicAndConfigTests
{
    private static ControllerHarness Active()
    {
        var harness = new ControllerHarness();
        harness.BecomeLeader();
        return harness;
    }

    [Fact]
    public void Replicas_spread_over_racks_and_leaders_spread_evenly()
    {
        var h = Active();
        h.RegisterBroker(1, "az-a");
        h.RegisterBroker(2, "az-a");
        h.RegisterBroker(3, "az-b");
        h.RegisterBroker(4, "az-b");
        h.RegisterBroker(5, "az-c");
        h.RegisterBroker(6, "az-c");

        var created = h.CreateTopic("events", 12, 3);

        Assert.Equal(ErrorCode.None, created.Error);
        var partitions = h.Image.Topic("events")!.Partitions;
        Assert.Equal(12, partitions.Length);
        foreach (var p in partitions)
        {
            Assert.Equal(3, p.Replicas.Distinct().Count());
            Assert.Equal(3, p.Replicas.Select(r => h.Image.Brokers[r].Rack).Distinct().Count());
            Assert.Equal(p.Replicas[0], p.Leader);
            Assert.Equal(p.Replicas, p.Isr);
        }
        Assert.All(partitions.GroupBy(p => p.Leader), g => Assert.Equal(2, g.Count()));
        Assert.All(Enumerable.Range(1, 6), b => Assert.Equal(6, partitions.Count(p => p.Replicas.Contains(b))));
    }

    [Fact]
    public void A_topic_confined_to_a_cell_lands_only_on_that_cells_brokers()
    {
        var h = Active();
        foreach (var id in new[] { 1, 2, 3, 4 })
        {
            h.RegisterBroker(id);
        }
        var cells = h.Run(c => c.Write(image => DecisionSequence.Decide(image, new[] { (1, "red"), (2, "red"), (3, "blue"), (4, "blue") },
            (current, b) => BrokerConfigChanges.Alter(current, b.Item1.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [new(KoraConfigs.BrokerCell, b.Item2)], replace: false, validateOnly: false))));
        Assert.All(cells, r => Assert.Equal(ErrorCode.None, r.Error));
        Assert.Equal("blue", h.Image.CellOf(3));

        h.CreateTopic("tenant-x", 8, 2, (KoraConfigs.PlacementCell, "blue"));
        Assert.All(h.Image.Topic("tenant-x")!.Partitions, p => Assert.All(p.Replicas, r => Assert.Contains(r, new[] { 3, 4 })));

        var tooWide = h.CreateTopic("tenant-y", 1, 3, (KoraConfigs.PlacementCell, "blue"));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, tooWide.Error);
    }

    [Fact]
    public void Fenced_brokers_get_no_new_replicas()
    {
        var h = Active();
        h.RegisterBroker(1);
        h.RegisterBroker(2, unfence: false);
        h.CreateTopic("t", 4, 1);
        Assert.All(h.Image.Topic("t")!.Partitions, p => Assert.Equal([1], p.Replicas));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, h.CreateTopic("t2", 1, 2).Error);
    }

    [Fact]
    public async Task Two_creations_of_one_name_in_flight_cannot_both_succeed()
    {
        var h = Active();
        h.RegisterBroker(1);
        var spec = new TopicSpec("dup", 1, 1, null, []);
        var first = h.Controller.Write(image => TopicChanges.Create(image, spec, h.Options, false));
        var second = h.Controller.Write(image => TopicChanges.Create(image, spec, h.Options, false));
        Assert.False(first.IsCompleted);
        h.CommitAll();
        Assert.Equal(ErrorCode.None, (await first).Error);
        Assert.Equal(ErrorCode.TopicAlreadyExists, (await second).Error);
    }

    [Fact]
    public void Requests_fail_with_not_controller_on_a_follower_and_when_leadership_is_lost_before_commit()
    {
        var follower = new ControllerHarness();
        follower.LoseLeadership(2);
        var refused = follower.Controller.Write(image => TopicChanges.Delete(image, "x", null));
        Assert.IsType<NotControllerException>(refused.Exception!.InnerException);

        var h = Active();
        h.RegisterBroker(1);
        var pending = h.Controller.Write(image => TopicChanges.Create(image, new TopicSpec("late", 1, 1, null, []), h.Options, false));
        h.LoseLeadership(3);
        Assert.IsType<NotControllerException>(pending.Exception!.InnerException);
        Assert.Null(h.Image.Topic("late"));
        Assert.Null(h.Controller.LatestImage.Topic("late"));
    }

    [Fact]
    public void Topic_config_changes_commit_as_config_records_and_invalid_values_are_refused()
    {
        var h = Active();
        h.RegisterBroker(1);
        h.CreateTopic("cfg", 1, 1, ("retention.ms", "1000"));
        var change = new ConfigChange((sbyte)ConfigResourceType.Topic, "cfg",
            [new ConfigAlteration("retention.ms", ConfigOperation.Delete, null), new ConfigAlteration("cleanup.policy", ConfigOperation.Append, "compact")], Incremental: true);
        var result = h.Run(c => c.Write(image => change.Decide(image, h.Options, validateOnly: false)));
        Assert.Equal(ErrorCode.None, result.Error);
        var configs = h.Image.Topic("cfg")!.Configs;
        Assert.False(configs.ContainsKey("retention.ms"));
        Assert.Equal("delete,compact", configs["cleanup.policy"]);

        var bad = new ConfigChange((sbyte)ConfigResourceType.Topic, "cfg", [new ConfigAlteration("retention.ms", ConfigOperation.Set, "soon")], Incremental: true);
        Assert.Equal(ErrorCode.InvalidConfig, h.Run(c => c.Write(image => bad.Decide(image, h.Options, false))).Error);
        var missing = new ConfigChange((sbyte)ConfigResourceType.Topic, "nope", [new ConfigAlteration("retention.ms", ConfigOperation.Set, "5")], Incremental: true);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, h.Run(c => c.Write(image => missing.Decide(image, h.Options, false))).Error);
        var brokerStatic = new ConfigChange((sbyte)ConfigResourceType.Broker, "1", [new ConfigAlteration("log.retention.ms", ConfigOperation.Set, "5")], Incremental: true);
        Assert.Equal(ErrorCode.InvalidRequest, h.Run(c => c.Write(image => brokerStatic.Decide(image, h.Options, false))).Error);
    }

    [Fact]
    public void Deleting_and_adding_partitions_change_the_image()
    {
        var h = Active();
        h.RegisterBroker(1);
        h.RegisterBroker(2);
        h.CreateTopic("grow", 2, 2);
        var grown = h.Run(c => c.Write(image => TopicChanges.CreatePartitions(image, "grow", 5, null, false)));
        Assert.Equal(ErrorCode.None, grown.Error);
        Assert.Equal(5, h.Image.Topic("grow")!.Partitions.Length);
        Assert.Equal(ErrorCode.InvalidPartitions, h.Run(c => c.Write(image => TopicChanges.CreatePartitions(image, "grow", 3, null, false))).Error);

        var deleted = h.Run(c => c.Write(image => TopicChanges.Delete(image, "grow", null)));
        Assert.Equal(ErrorCode.None, deleted.Error);
        Assert.Null(h.Image.Topic("grow"));
    }
}
