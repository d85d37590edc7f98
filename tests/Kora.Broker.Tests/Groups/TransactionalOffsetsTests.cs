using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Groups;

public class TransactionalOffsetsTests
{
    private sealed class Clock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(5_000_000);
    }

    private sealed class TxnLog : IGroupLog
    {
        public List<(long ProducerId, short Epoch, byte[] Key, byte[]? Value)> Transactional { get; } = [];
        public ErrorCode FailWith { get; set; }

        public void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
        {
        }

        public ErrorCode AppendTransactional(string groupId, long producerId, short producerEpoch, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
        {
            if (FailWith != ErrorCode.None)
            {
                return FailWith;
            }
            Transactional.AddRange(records.Select(r => (producerId, producerEpoch, r.Key, r.Value)));
            return ErrorCode.None;
        }
    }

    private static readonly TopicPartitionKey In0 = new("in", 0);
    private static readonly TopicPartitionKey In1 = new("in", 1);

    private static CommittedOffset At(long offset) => new(offset, -1, "m", 5_000_000);

    private static (GroupCoordinator Coordinator, TxnLog Log) Create()
    {
        var log = new TxnLog();
        return (new GroupCoordinator(log, new Clock(), new GroupSettings()), log);
    }

    private static Func<string, bool> Any => _ => true;

    [Fact]
    public void PendingOffsets_AreInvisible_UntilTheCommitMarker()
    {
        var (c, log) = Create();
        Assert.Equal(ErrorCode.None, c.CommitTransactional("g", 42, 3, -1, "", null, [(In0, At(10)), (In1, At(20))]));
        Assert.Equal(2, log.Transactional.Count);
        Assert.All(log.Transactional, r => Assert.Equal((42L, (short)3), (r.ProducerId, r.Epoch)));
        Assert.Null(c.Fetch("g", [In0])[0].Offset);
        Assert.True(c.HasPendingTransactionalOffset("g", In0));
        Assert.False(c.HasPendingTransactionalOffset("g", new TopicPartitionKey("in", 2)));

        c.CompleteTransaction(42, committed: true, Any);
        Assert.Equal(10, c.Fetch("g", [In0])[0].Offset!.Offset);
        Assert.Equal(20, c.Fetch("g", [In1])[0].Offset!.Offset);
        Assert.False(c.HasPendingTransactionalOffset("g", In0));
    }

    [Fact]
    public void AbortedOffsets_AreDropped_AndTheCommittedOnesStay()
    {
        var (c, _) = Create();
        c.CommitTransactional("g", 42, 0, -1, "", null, [(In0, At(10))]);
        c.CompleteTransaction(42, committed: true, Any);
        c.CommitTransactional("g", 42, 0, -1, "", null, [(In0, At(99))]);
        c.CompleteTransaction(42, committed: false, Any);
        Assert.Equal(10, c.Fetch("g", [In0])[0].Offset!.Offset);
        Assert.False(c.HasPendingTransactionalOffset("g", In0));
    }

    [Fact]
    public void Marker_SettlesOnlyTheGroupsOfItsPartition_AndOnlyItsProducer()
    {
        var (c, _) = Create();
        c.CommitTransactional("here", 1, 0, -1, "", null, [(In0, At(1))]);
        c.CommitTransactional("there", 1, 0, -1, "", null, [(In0, At(2))]);
        c.CommitTransactional("here", 2, 0, -1, "", null, [(In1, At(3))]);
        c.CompleteTransaction(1, committed: true, g => g == "here");
        Assert.Equal(1, c.Fetch("here", [In0])[0].Offset!.Offset);
        Assert.Null(c.Fetch("there", [In0])[0].Offset);
        Assert.True(c.HasPendingTransactionalOffset("there", In0));
        Assert.True(c.HasPendingTransactionalOffset("here", In1));
    }

    [Fact]
    public void GroupChecks_ApplyOnlyWhenMemberOrGenerationAreGiven()
    {
        var (c, log) = Create();
        Assert.Equal(ErrorCode.InvalidGroupId, c.CommitTransactional("", 1, 0, -1, "", null, [(In0, At(1))]));
        Assert.Equal(ErrorCode.UnknownMemberId, c.CommitTransactional("g", 1, 0, -1, "someone", null, [(In0, At(1))]));
        Assert.Equal(ErrorCode.IllegalGeneration, c.CommitTransactional("g", 1, 0, 4, "", null, [(In0, At(1))]));
        Assert.Empty(log.Transactional);
        log.FailWith = ErrorCode.CoordinatorNotAvailable;
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, c.CommitTransactional("g", 1, 0, -1, "", null, [(In0, At(1))]));
        Assert.False(c.HasPendingTransactionalOffset("g", In0));
    }

    [Fact]
    public void Replay_HonoursMarkers_AndKeepsUnfinishedTransactionsPending()
    {
        var (c, _) = Create();
        var key0 = GroupRecordCodec.OffsetKey("g", "in", 0);
        var key1 = GroupRecordCodec.OffsetKey("g", "in", 1);
        c.Replay(key0, GroupRecordCodec.OffsetValue(At(5)));
        c.ReplayTransactional(7, key0, GroupRecordCodec.OffsetValue(At(50)));
        c.ReplayTransactional(8, key1, GroupRecordCodec.OffsetValue(At(80)));
        c.ReplayMarker(7, committed: false, Any);
        c.ReplayTransactional(9, key1, GroupRecordCodec.OffsetValue(At(90)));
        c.ReplayMarker(9, committed: true, Any);

        Assert.Equal(5, c.Fetch("g", [In0])[0].Offset!.Offset);
        Assert.Equal(90, c.Fetch("g", [In1])[0].Offset!.Offset);
        // Producer 8 has no marker yet: its offset waits for the coordinator to finish the transaction.
        Assert.True(c.HasPendingTransactionalOffset("g", In1));
        c.CompleteTransaction(8, committed: true, Any);
        Assert.Equal(80, c.Fetch("g", [In1])[0].Offset!.Offset);
    }
}
