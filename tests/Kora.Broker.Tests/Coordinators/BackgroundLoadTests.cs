using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Kora.Broker.Groups;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Broker.Telemetry;
using Kora.Metadata;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Tests.Coordinators;

/// <summary>
/// Becoming coordinator of a <c>__consumer_offsets</c> partition replays it off the metadata thread, as Kafka does:
/// image changes keep applying while it loads, and its groups answer COORDINATOR_LOAD_IN_PROGRESS until it is done.
/// </summary>
public sealed class BackgroundLoadTests : IDisposable
{
    private const int NodeId = 2;
    private static readonly Guid OffsetsId = Guid.NewGuid();
    private static readonly Guid OrdersId = Guid.NewGuid();
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("kora-background-load-");
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PartitionManager _manager;
    private readonly MetadataStore _store;
    private readonly ConsumerOffsetsLog _offsetsLog;
    private readonly GroupCoordinator _coordinator;
    private readonly GroupPartitionLoader _loader;

    public BackgroundLoadTests()
    {
        var options = Options.Create(new BrokerOptions
        {
            NodeId = NodeId,
            DataDir = _dataDir.FullName,
            ControllerQuorumVoters = "3001@127.0.0.1:1",
            OffsetsTopicNumPartitions = 1,
        });
        _manager = new PartitionManager(options, TimeProvider.System, new BrokerMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<PartitionManager>.Instance);
        _store = new MetadataStore(_dataDir.FullName, TimeProvider.System, NullLogger<MetadataStore>.Instance, localLog: false);
        _offsetsLog = new ConsumerOffsetsLog(_manager, new TopicAdmin(_store, options), options, TimeProvider.System);
        _coordinator = new GroupCoordinator(_offsetsLog, TimeProvider.System, new GroupSettings());
        _loader = new GroupPartitionLoader(_coordinator, _offsetsLog, NullLogger<GroupPartitionLoader>.Instance);
        _manager.Subscribe(_loader);
    }

    private static TopicImage Topic(string name, Guid id, int leader, int leaderEpoch) =>
        new(name, id, [new PartitionImage(0, [NodeId], [NodeId], leader, leaderEpoch, 0)],
            ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    private static readonly TopicPartitionKey Orders0 = new("orders", 0);

    [Fact]
    public async Task ImageChangesApplyWhileOffsetsLoad_AndGroupsWaitForTheLoad()
    {
        // Hosted but led by nobody yet: commits written by an earlier leader are in the log.
        var hosted = MetadataImage.Empty.WithTopic(Topic(ConsumerOffsetsLog.TopicName, OffsetsId, -1, 0));
        _manager.OnImageChanged(MetadataImage.Empty, hosted);
        var log = _manager.Get(ConsumerOffsetsLog.TopicName, 0)!.Log;
        var builder = new RecordBatchBuilder(1_000);
        for (var i = 0; i <= 500; i++)
        {
            builder.Add(GroupRecordCodec.OffsetKey("g", "orders", 0), GroupRecordCodec.OffsetValue(new CommittedOffset(i, 0, null, 1_000)), 1_000);
        }
        log.Append(builder.Build(), 1_000, leaderEpoch: 0);
        log.UpdateHighWatermark(log.LogEndOffset);

        // Something slow is ahead in the coordinator's queue, as a big partition's replay would be.
        using var slow = new ManualResetEventSlim();
        var blocker = _loader.Queue.Enqueue("slow load", () => slow.Wait(TimeSpan.FromSeconds(30)));

        var led = MetadataImage.Empty.WithTopic(Topic(ConsumerOffsetsLog.TopicName, OffsetsId, NodeId, 1));
        _manager.OnImageChanged(hosted, led);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, _offsetsLog.CoordinatorError("g"));

        // The metadata thread is free: the next image applies at once, while the offsets are still loading.
        var withOrders = led.WithTopic(Topic("orders", OrdersId, NodeId, 0));
        _manager.OnImageChanged(led, withOrders);
        Assert.NotNull(_manager.GetLed("orders", 0, out _));
        Assert.DoesNotContain(_coordinator.Fetch("g", [Orders0]), o => o.Offset is not null);
        Assert.False(blocker.IsCompleted);

        slow.Set();
        await _loader.Queue.Enqueue("probe", () => { }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ErrorCode.None, _offsetsLog.CoordinatorError("g"));
        Assert.Equal(500, Assert.Single(_coordinator.Fetch("g", [Orders0])).Offset!.Offset);
    }

    [Fact]
    public async Task LeadershipLostAndRegainedDuringALoad_EndsLoadedAndServing()
    {
        var hosted = MetadataImage.Empty.WithTopic(Topic(ConsumerOffsetsLog.TopicName, OffsetsId, -1, 0));
        var led = MetadataImage.Empty.WithTopic(Topic(ConsumerOffsetsLog.TopicName, OffsetsId, NodeId, 1));
        var relead = MetadataImage.Empty.WithTopic(Topic(ConsumerOffsetsLog.TopicName, OffsetsId, NodeId, 3));
        _manager.OnImageChanged(MetadataImage.Empty, hosted);
        var log = _manager.Get(ConsumerOffsetsLog.TopicName, 0)!.Log;
        log.Append(new RecordBatchBuilder(1_000)
            .Add(GroupRecordCodec.OffsetKey("g", "orders", 0), GroupRecordCodec.OffsetValue(new CommittedOffset(7, 0, null, 1_000)), 1_000)
            .Build(), 1_000, leaderEpoch: 0);
        log.UpdateHighWatermark(log.LogEndOffset);

        using var slow = new ManualResetEventSlim();
        var blocker = _loader.Queue.Enqueue("slow load", () => slow.Wait(TimeSpan.FromSeconds(30)));
        _manager.OnImageChanged(hosted, led);
        _manager.OnImageChanged(led, hosted);
        Assert.Null(_manager.GetLed(ConsumerOffsetsLog.TopicName, 0, out _));
        _manager.OnImageChanged(hosted, relead);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, _offsetsLog.CoordinatorError("g"));

        Assert.False(blocker.IsCompleted);

        slow.Set();
        await _loader.Queue.Enqueue("probe", () => { }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ErrorCode.None, _offsetsLog.CoordinatorError("g"));
        Assert.Equal(7, Assert.Single(_coordinator.Fetch("g", [Orders0])).Offset!.Offset);
    }

    public void Dispose()
    {
        _loader.Dispose();
        _manager.Dispose();
        _store.Dispose();
        _services.Dispose();
        _dataDir.Delete(recursive: true);
    }
}
