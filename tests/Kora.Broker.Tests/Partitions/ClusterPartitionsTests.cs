using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Kora.Broker.Partitions;
using Kora.Broker.Telemetry;
using Kora.Metadata;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Tests.Partitions;

/// <summary>In cluster mode a broker hosts the partitions whose replicas name it and serves only those it leads.</summary>
public sealed class ClusterPartitionsTests : IDisposable
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("kora-cluster-partitions-");
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PartitionManager _manager;
    private readonly RecordingListener _listener = new();

    public ClusterPartitionsTests()
    {
        var options = Options.Create(new BrokerOptions { NodeId = 2, DataDir = _dataDir.FullName, ControllerQuorumVoters = "3001@127.0.0.1:1" });
        _manager = new PartitionManager(options, TimeProvider.System, new BrokerMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<PartitionManager>.Instance);
        _manager.Subscribe(_listener);
    }

    private static MetadataImage Image(params (int[] Replicas, int Leader)[] partitions)
    {
        var topic = new TopicImage("orders", TopicId,
            [.. partitions.Select((p, i) => new PartitionImage(i, p.Replicas, p.Replicas, p.Leader, 0, 0))],
            ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));
        return MetadataImage.Empty.WithTopic(topic);
    }

    [Fact]
    public void OnlyPartitionsNamingThisBrokerAreHosted_AndOnlyLedOnesServed()
    {
        _manager.OnImageChanged(MetadataImage.Empty, Image(([1], 1), ([2], 2), ([2], -1)));

        Assert.Null(_manager.Get("orders", 0));
        Assert.False(Directory.Exists(Path.Combine(_dataDir.FullName, "orders-0")));
        Assert.Null(_manager.GetLed("orders", 0, out var elsewhere));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, elsewhere);

        Assert.NotNull(_manager.GetLed("orders", 1, out var led));
        Assert.Equal(ErrorCode.None, led);

        Assert.NotNull(_manager.Get("orders", 2));
        Assert.Null(_manager.GetLed("orders", 2, out var offline));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, offline);

        Assert.Null(_manager.GetLed("orders", 3, out var unknown));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown);
        Assert.Null(_manager.GetLed("missing", 0, out var missing));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, missing);
        Assert.Equal(2, _manager.PartitionCount);
    }

    [Fact]
    public void LeadershipChanges_AreReportedOnce_WithTheLeaderEpoch()
    {
        var first = Image(([2], 2), ([2], -1));
        _manager.OnImageChanged(MetadataImage.Empty, first);
        Assert.Equal(["+orders-0"], _listener.Events);

        // Fenced: partition 0 goes offline; unfenced again: partition 1 comes back to this broker.
        var fenced = Image(([2], -1), ([2], -1));
        _manager.OnImageChanged(first, fenced);
        var returned = Image(([2], 2), ([2], 2)) with { };
        returned = returned.WithTopic(returned.Topic("orders")! with
        {
            Partitions = [.. returned.Topic("orders")!.Partitions.Select(p => p with { LeaderEpoch = 3 })],
        });
        _manager.OnImageChanged(fenced, returned);

        Assert.Equal(["+orders-0", "-orders-0", "+orders-0", "+orders-1"], _listener.Events);
        Assert.Equal(3, _manager.Get("orders", 1)!.LeaderEpoch);
    }

    public void Dispose()
    {
        _manager.Dispose();
        _services.Dispose();
        _dataDir.Delete(recursive: true);
    }

    private sealed class RecordingListener : ILeadershipListener
    {
        public List<string> Events { get; } = [];

        public void OnBecameLeader(Partition partition) => Events.Add($"+{partition.Topic}-{partition.Index}");

        public void OnResigned(Partition partition) => Events.Add($"-{partition.Topic}-{partition.Index}");
    }
}
