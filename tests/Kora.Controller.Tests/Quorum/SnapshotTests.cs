using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Raft;

namespace Kora.Controller.Tests.Quorum;

public class SnapshotTests
{
    [Fact]
    public void A_snapshot_rebuilds_the_same_image()
    {
        var h = new ControllerHarness();
        h.BecomeLeader();
        h.RegisterBroker(1, "az-a");
        h.RegisterBroker(2, "az-b");
        h.RegisterBroker(3, "az-c", unfence: false);
        h.Run(c => c.Write(image => BrokerConfigChanges.Alter(image, "2", [new(KoraConfigs.BrokerCell, "red")], false, false)));
        h.CreateTopic("a", 3, 2, ("retention.ms", "60000"));
        h.CreateTopic("b", 1, 1);
        h.Run(c => c.AllocateProducerIds(1, h.Image.Brokers[1].Epoch));
        h.Now += 10_000;
        h.Controller.Tick(h.Now);
        h.CommitAll();

        var image = h.Image;
        var restored = MetadataSnapshot.Read(MetadataSnapshot.Write(image, 3, 0), image.Offset);

        Assert.Equal(Describe(image), Describe(restored));
        Assert.Equal(image.NextProducerId, restored.NextProducerId);
        Assert.Equal("red", restored.CellOf(2));
    }

    [Fact]
    public void The_controller_snapshots_after_the_configured_record_bytes_and_loads_a_snapshot()
    {
        var h = new ControllerHarness(configure: o => o.MetadataLogMaxRecordBytesBetweenSnapshots = 1);
        h.BecomeLeader();
        h.RegisterBroker(1);
        h.CreateTopic("snap", 2, 1);
        h.Controller.Tick(h.Now);
        var (id, content) = Assert.Single(h.Snapshots.TakeLast(1));
        Assert.Equal(h.Image.Offset + 1, id.Offset);

        var fresh = new ControllerHarness(nodeId: 2);
        fresh.Controller.OnLoadSnapshot(id, content);
        Assert.Equal(Describe(h.Image), Describe(fresh.Image));
        Assert.Equal(id, fresh.Controller.LastSnapshot);
        Assert.Equal(id.Offset - 1, fresh.Image.Offset);
    }

    private static string Describe(MetadataImage image) => string.Join("\n",
        image.Brokers.Values.OrderBy(b => b.Id).Select(b => $"{b.Id} {b.Host}:{b.Port} {b.Rack} fenced={b.Fenced} epoch={b.Epoch} {b.IncarnationId} shutdown={b.InControlledShutdown}")
            .Concat(image.TopicsByName.Values.OrderBy(t => t.Name).Select(t => $"{t.Name} {t.Id} {string.Join(",", t.Configs.OrderBy(c => c.Key).Select(c => c.Key + "=" + c.Value))} "
                + string.Join(" ", t.Partitions.Select(p => $"[{p.Index} l={p.Leader} le={p.LeaderEpoch} pe={p.PartitionEpoch} r={string.Join(",", p.Replicas)} isr={string.Join(",", p.Isr)}]"))))
            .Concat(image.PerBrokerConfigs.OrderBy(c => c.Key).Select(c => $"broker {c.Key}: {string.Join(",", c.Value.Select(kv => kv.Key + "=" + kv.Value))}")));
}
