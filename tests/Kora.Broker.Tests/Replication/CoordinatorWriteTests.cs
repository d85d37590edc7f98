using Kora.Broker.Coordinators;
using Kora.Broker.Partitions;
using Kora.Metadata;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Broker.Tests.Replication;

/// <summary>
/// The broker's own writes (coordinator records, transaction markers) on a leader of replicas [1, 2, 3] with
/// min.insync.replicas=2: answered only once the high watermark covers them, with Kafka's errors otherwise.
/// </summary>
public sealed class CoordinatorWriteTests : IDisposable
{
    private const long Now = 1_000_000;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kora-coordinator-write-");
    private readonly PartitionLog _log;
    private readonly Partition _partition;

    public CoordinatorWriteTests()
    {
        var config = new LogConfig { MinInsyncReplicas = 2 };
        _log = PartitionLog.Open(Path.Combine(_dir.FullName, "__consumer_offsets-0"), config, TimeProvider.System, NullLogger.Instance);
        _partition = new Partition("__consumer_offsets", Guid.NewGuid(), 0, _log, config, localBrokerId: 1);
        _partition.MakeLeader(Image(isr: [1, 2, 3]), Now);
    }

    private static PartitionImage Image(int[] isr, int partitionEpoch = 7) => new(0, [1, 2, 3], isr, 1, 5, partitionEpoch);

    private long Append()
    {
        var batch = new RecordBatchBuilder(Now).Add("k"u8, "v"u8, Now).Build();
        var result = _partition.Append(batch, Now);
        Assert.Equal(ErrorCode.None, result.Error);
        return result.LastOffset;
    }

    private void Fetch(int replica, long offset) => _partition.RecordFollowerFetch(replica, 11, offset, _log.LogEndOffset, Now, out _);

    [Fact]
    public async Task AwaitCommitted_CompletesOnlyWhenEveryInSyncReplicaHasTheWrite()
    {
        var last = Append();
        var write = _partition.AwaitCommittedAsync(last, 30_000, TimeProvider.System, CancellationToken.None).AsTask();
        Fetch(2, last + 1);
        await Task.Delay(100);
        Assert.False(write.IsCompleted);
        Fetch(3, last + 1);
        Assert.Equal(ErrorCode.None, await write.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AwaitCommitted_TimesOut_WhenAFollowerNeverCatchesUp()
    {
        var last = Append();
        Fetch(2, last + 1);
        Assert.Equal(ErrorCode.RequestTimedOut, await _partition.AwaitCommittedAsync(last, 200, TimeProvider.System, CancellationToken.None));
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, CoordinatorWriteErrors.ForOffsetCommit(ErrorCode.RequestTimedOut));
    }

    [Fact]
    public async Task AwaitCommitted_GetsNotEnoughReplicasAfterAppend_WhenTheIsrShrinksBelowMinInsync()
    {
        var last = Append();
        var write = _partition.AwaitCommittedAsync(last, 30_000, TimeProvider.System, CancellationToken.None).AsTask();
        _partition.ApplyLeaderImage(Image(isr: [1], partitionEpoch: 8), Now);
        Assert.Equal(ErrorCode.NotEnoughReplicasAfterAppend, await write.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(_partition.HasEnoughInsyncReplicas);
    }

    [Fact]
    public async Task AwaitCommitted_GetsNotLeaderOrFollower_WhenLeadershipMovesAway()
    {
        var last = Append();
        var write = _partition.AwaitCommittedAsync(last, 30_000, TimeProvider.System, CancellationToken.None).AsTask();
        _partition.MakeFollower(new PartitionImage(0, [1, 2, 3], [2, 3], 2, 6, 8));
        var error = await write.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, error);
        Assert.Equal(ErrorCode.NotCoordinator, CoordinatorWriteErrors.ForGroupWrite(error));
    }

    [Fact]
    public async Task TxnMarker_IsRefusedWithNotEnoughReplicas_WhenTheIsrIsBelowMinInsync()
    {
        _partition.ApplyLeaderImage(Image(isr: [1], partitionEpoch: 8), Now);
        var error = await _partition.WriteTxnMarkerAsync(42, 0, 0, committed: true, 1000, TimeProvider.System, CancellationToken.None);
        Assert.Equal(ErrorCode.NotEnoughReplicas, error);
        Assert.Equal(0, _log.LogEndOffset);
    }

    [Fact]
    public async Task TxnMarker_WaitsForTheInSyncReplicas()
    {
        var marker = _partition.WriteTxnMarkerAsync(42, 0, 0, committed: true, 30_000, TimeProvider.System, CancellationToken.None).AsTask();
        Assert.Equal(1, _log.LogEndOffset);
        await Task.Delay(100);
        Assert.False(marker.IsCompleted);
        Fetch(2, 1);
        Fetch(3, 1);
        Assert.Equal(ErrorCode.None, await marker.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(ErrorCode.NotEnoughReplicas, ErrorCode.CoordinatorNotAvailable, ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.NotEnoughReplicasAfterAppend, ErrorCode.CoordinatorNotAvailable, ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.UnknownTopicOrPartition, ErrorCode.CoordinatorNotAvailable, ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.KafkaStorageError, ErrorCode.NotCoordinator, ErrorCode.NotCoordinator)]
    [InlineData(ErrorCode.RecordListTooLarge, ErrorCode.InvalidCommitOffsetSize, ErrorCode.UnknownServerError)]
    [InlineData(ErrorCode.MessageTooLarge, ErrorCode.InvalidCommitOffsetSize, ErrorCode.UnknownServerError)]
    [InlineData(ErrorCode.None, ErrorCode.None, ErrorCode.None)]
    public void Errors_MapAsKafkasCoordinatorsDo(ErrorCode append, ErrorCode offsetCommit, ErrorCode groupOrTransaction)
    {
        Assert.Equal(offsetCommit, CoordinatorWriteErrors.ForOffsetCommit(append));
        Assert.Equal(groupOrTransaction, CoordinatorWriteErrors.ForGroupWrite(append));
        Assert.Equal(groupOrTransaction, CoordinatorWriteErrors.ForTransactionState(append));
    }

    public void Dispose()
    {
        _log.Close();
        _dir.Delete(recursive: true);
    }
}
