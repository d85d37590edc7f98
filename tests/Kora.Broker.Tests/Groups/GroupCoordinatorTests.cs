using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Groups;

public class GroupCoordinatorTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        public override DateTimeOffset GetUtcNow() => Now;
        public void Advance(int ms) => Now = Now.AddMilliseconds(ms);
    }

    private sealed class MemoryLog : IGroupLog
    {
        public List<(byte[] Key, byte[]? Value)> Records { get; } = [];
        public void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records) => Records.AddRange(records);

        public ErrorCode AppendTransactional(string groupId, long producerId, short producerEpoch, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
        {
            Records.AddRange(records);
            return ErrorCode.None;
        }
    }

    private static readonly MemberProtocol[] Range = [new("range", [1, 2, 3])];

    private static JoinRequestArgs Join(string memberId, string? instance = null, short version = 5) =>
        new("g", memberId, instance, "client", "/127.0.0.1", 10000, 20000, "consumer", Range, version);

    [Fact]
    public async Task Unload_ForgetsThePartitionsGroups_AnswersWaitingMembersNotCoordinator_AndReplayRestoresThem()
    {
        var time = new ManualTime();
        var log = new MemoryLog();
        var c = new GroupCoordinator(log, time, new GroupSettings(InitialRebalanceDelayMs: 100));
        var first = await c.JoinAsync(Join(""));
        var waiting = c.JoinAsync(Join(first.MemberId));
        Assert.False(waiting.IsCompleted);
        var offset = new TopicPartitionKey("orders", 0);
        Assert.Equal(ErrorCode.None, c.CommitConfirmed("other", -1, "", null, [(offset, new CommittedOffset(42, -1, "", 0))], 2));

        Assert.Equal(1, c.Unload(group => group == "g"));
        Assert.Equal(ErrorCode.NotCoordinator, (await waiting).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, c.Heartbeat("g", first.MemberId, null, 0));
        Assert.Equal(42, c.Fetch("other", [offset]).Single().Offset!.Offset);

        Assert.Equal(1, c.Unload(group => group == "other"));
        Assert.Null(c.Fetch("other", [offset]).Single().Offset);
        foreach (var (key, value) in log.Records)
        {
            c.Replay(key, value);
        }
        Assert.Equal(42, c.Fetch("other", [offset]).Single().Offset!.Offset);
    }

    [Fact]
    public async Task TwoMembers_JoinSyncAndHeartbeat()
    {
        var time = new ManualTime();
        var log = new MemoryLog();
        var c = new GroupCoordinator(log, time, new GroupSettings(InitialRebalanceDelayMs: 100));
        var first = await c.JoinAsync(Join(""));
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        var a = c.JoinAsync(Join(first.MemberId));
        var second = await c.JoinAsync(Join(""));
        var b = c.JoinAsync(Join(second.MemberId));
        Assert.False(a.IsCompleted);
        time.Advance(150);
        c.Tick(); // a member joined during the initial delay: it is extended once more
        Assert.False(a.IsCompleted);
        time.Advance(150);
        c.Tick();
        var ra = await a;
        var rb = await b;
        Assert.Equal(1, ra.GenerationId);
        Assert.Equal(ra.MemberId, ra.LeaderId);
        Assert.Equal(2, ra.Members!.Count);
        Assert.Empty(rb.Members!);
        Assert.Equal("range", rb.ProtocolName);
        var syncB = c.SyncAsync("g", 1, rb.MemberId, null, null, null, new Dictionary<string, byte[]>());
        Assert.False(syncB.IsCompleted);
        var syncA = await c.SyncAsync("g", 1, ra.MemberId, null, null, null, new Dictionary<string, byte[]> { [ra.MemberId] = [1], [rb.MemberId] = [2] });
        Assert.Equal(new byte[] { 1 }, syncA.Assignment);
        Assert.Equal(new byte[] { 2 }, (await syncB).Assignment);
        Assert.Equal(ErrorCode.None, c.Heartbeat("g", rb.MemberId, null, 1));
        Assert.Equal(ErrorCode.IllegalGeneration, c.Heartbeat("g", rb.MemberId, null, 0));
        Assert.Equal(ErrorCode.UnknownMemberId, c.Heartbeat("g", "nobody", null, 1));
        Assert.Single(log.Records);

        // b goes silent: after the session timeout it is removed and a rebalances alone.
        time.Advance(5000);
        Assert.Equal(ErrorCode.None, c.Heartbeat("g", ra.MemberId, null, 1));
        time.Advance(6000);
        c.Tick();
        Assert.Equal(ErrorCode.RebalanceInProgress, c.Heartbeat("g", ra.MemberId, null, 1));
        var again = await c.JoinAsync(Join(ra.MemberId));
        Assert.Equal(2, again.GenerationId);
        Assert.Single(again.Members!);
    }

    [Fact]
    public async Task StaticMember_RejoinReplacesIdWithoutRebalance_AndFencesOldId()
    {
        var time = new ManualTime();
        var c = new GroupCoordinator(new MemoryLog(), time, new GroupSettings(InitialRebalanceDelayMs: 0));
        var a = c.JoinAsync(Join("", "a"));
        c.Tick();
        var ra = await a;
        await c.SyncAsync("g", ra.GenerationId, ra.MemberId, "a", null, null, new Dictionary<string, byte[]> { [ra.MemberId] = [9] });
        var b = c.JoinAsync(Join("", "b"));
        var a2 = c.JoinAsync(Join(ra.MemberId, "a"));
        var r1 = await a2;
        var rb = await b;
        Assert.Equal(r1.GenerationId, rb.GenerationId);
        var syncB = c.SyncAsync("g", rb.GenerationId, rb.MemberId, "b", null, null, new Dictionary<string, byte[]>());
        await c.SyncAsync("g", r1.GenerationId, r1.MemberId, "a", null, null, new Dictionary<string, byte[]>());
        await syncB;
        var gen = r1.GenerationId;

        // b restarts with a fresh member id: no rebalance, same generation, old id fenced.
        var joined = c.Describe("g").Members.Single(m => m.GroupInstanceId == "b").MemberId;
        var restarted = await c.JoinAsync(Join("", "b"));
        Assert.Equal(ErrorCode.None, restarted.Error);
        Assert.Equal(gen, restarted.GenerationId);
        Assert.NotEqual(joined, restarted.MemberId);
        Assert.Equal(GroupState.Stable, c.Describe("g").State);
        Assert.Equal(ErrorCode.FencedInstanceId, c.Heartbeat("g", joined, "b", gen));
        Assert.Equal(ErrorCode.None, c.Heartbeat("g", restarted.MemberId, "b", gen));
    }

    [Fact]
    public void Offsets_AreVisibleOnlyOnceTheirWriteIsConfirmed_AndALateOlderConfirmationKeepsTheNewer()
    {
        var log = new MemoryLog();
        var c = new GroupCoordinator(log, new ManualTime(), new GroupSettings());
        var tp = new TopicPartitionKey("t", 0);
        var first = new[] { (tp, new CommittedOffset(10, -1, null, 1)) };
        var second = new[] { (tp, new CommittedOffset(20, -1, null, 2)) };

        Assert.Equal(ErrorCode.None, c.Commit("g", -1, "", null, first, 8, out var firstWrite));
        // Written, not yet on the in-sync replicas: a reader must not see what a failover could take back.
        Assert.Null(c.Fetch("g", [tp]).Single().Offset);
        Assert.Equal(ErrorCode.None, c.Commit("g", -1, "", null, second, 8, out var secondWrite));
        c.CompleteCommit("g", second, secondWrite, written: true);
        Assert.Equal(20, c.Fetch("g", [tp]).Single().Offset!.Offset);
        // The older commit's confirmation arrives after the newer one's: the newer offset stays.
        c.CompleteCommit("g", first, firstWrite, written: true);
        Assert.Equal(20, c.Fetch("g", [tp]).Single().Offset!.Offset);

        // A write that fails (timed out, not enough replicas) never becomes visible.
        Assert.Equal(ErrorCode.None, c.Commit("g", -1, "", null, [(tp, new CommittedOffset(30, -1, null, 3))], 8, out var failedWrite));
        c.CompleteCommit("g", [(tp, new CommittedOffset(30, -1, null, 3))], failedWrite, written: false);
        Assert.Equal(20, c.Fetch("g", [tp]).Single().Offset!.Offset);
    }

    [Fact]
    public void A_confirmation_for_a_group_deleted_and_recreated_meanwhile_changes_nothing()
    {
        var c = new GroupCoordinator(new MemoryLog(), new ManualTime(), new GroupSettings());
        var tp = new TopicPartitionKey("t", 0);
        Assert.Equal(ErrorCode.None, c.Commit("g", -1, "", null, [(tp, new CommittedOffset(10, -1, null, 1))], 8, out var old));
        Assert.Equal(ErrorCode.None, c.Delete("g"));
        Assert.Equal(ErrorCode.None, c.Commit("g", -1, "", null, [(tp, new CommittedOffset(3, -1, null, 2))], 8, out var fresh));
        c.CompleteCommit("g", [(tp, new CommittedOffset(10, -1, null, 1))], old, written: true);
        Assert.Null(c.Fetch("g", [tp]).Single().Offset);
        c.CompleteCommit("g", [(tp, new CommittedOffset(3, -1, null, 2))], fresh, written: true);
        Assert.Equal(3, c.Fetch("g", [tp]).Single().Offset!.Offset);
    }

    [Fact]
    public void Expiry_leaves_an_offset_whose_newer_commit_is_still_being_written()
    {
        var time = new ManualTime();
        var log = new MemoryLog();
        var c = new GroupCoordinator(log, time, new GroupSettings(OffsetsRetentionMs: 60000));
        var tp = new TopicPartitionKey("t", 0);
        Assert.Equal(ErrorCode.None, c.CommitConfirmed("g", -1, "", null, [(tp, new CommittedOffset(5, -1, null, time.Now.ToUnixTimeMilliseconds()))]));
        time.Advance(61_000);
        Assert.Equal(ErrorCode.None, c.Commit("g", -1, "", null, [(tp, new CommittedOffset(9, -1, null, time.Now.ToUnixTimeMilliseconds()))], 8, out var write));
        c.ExpireOffsets();
        // No tombstone went after the pending commit, so a reload cannot lose it once it is acknowledged.
        Assert.DoesNotContain(log.Records, r => r.Value is null);
        c.CompleteCommit("g", [(tp, new CommittedOffset(9, -1, null, time.Now.ToUnixTimeMilliseconds()))], write, written: true);
        Assert.Equal(9, c.Fetch("g", [tp]).Single().Offset!.Offset);
    }

    [Fact]
    public void DeleteGroups_WritesATombstoneForACommitStillBeingWritten()
    {
        var log = new MemoryLog();
        var c = new GroupCoordinator(log, new ManualTime(), new GroupSettings());
        var confirmed = new TopicPartitionKey("t", 0);
        var pending = new TopicPartitionKey("t", 1);
        Assert.Equal(ErrorCode.None, c.CommitConfirmed("g", -1, "", null, [(confirmed, new CommittedOffset(5, -1, null, 1))]));
        Assert.Equal(ErrorCode.None, c.Commit("g", -1, "", null, [(pending, new CommittedOffset(7, -1, null, 1))], 8, out var write));
        Assert.Equal(ErrorCode.None, c.Delete("g"));
        c.CompleteCommit("g", [(pending, new CommittedOffset(7, -1, null, 1))], write, written: true);

        // Replayed, as after a restart: neither offset comes back.
        var restored = new GroupCoordinator(new MemoryLog(), new ManualTime(), new GroupSettings());
        foreach (var (key, value) in log.Records)
        {
            restored.Replay(key, value);
        }
        Assert.Empty(restored.Fetch("g", null));
    }

    [Fact]
    public void Offsets_CommitFetchReplayAndExpire()
    {
        var time = new ManualTime();
        var log = new MemoryLog();
        var c = new GroupCoordinator(log, time, new GroupSettings(OffsetsRetentionMs: 60000));
        var tp = new TopicPartitionKey("t", 0);
        Assert.Equal(ErrorCode.None, c.CommitConfirmed("g", -1, "", null, [(tp, new CommittedOffset(42, 3, "meta", 1))]));
        Assert.Equal(ErrorCode.IllegalGeneration, c.CommitConfirmed("other", 1, "m", null, [(tp, new CommittedOffset(1, -1, null, 1))]));
        var restored = new GroupCoordinator(new MemoryLog(), time, new GroupSettings());
        foreach (var (key, value) in log.Records)
        {
            restored.Replay(key, value);
        }
        var fetched = restored.Fetch("g", null).Single();
        Assert.Equal(42, fetched.Offset!.Offset);
        Assert.Equal(3, fetched.Offset.LeaderEpoch);
        Assert.Equal("meta", fetched.Offset.Metadata);
        Assert.Null(restored.Fetch("g", [new TopicPartitionKey("t", 1)]).Single().Offset);
        time.Advance(61000);
        Assert.Equal(1, c.ExpireOffsets());
        Assert.Empty(c.Fetch("g", null));
        Assert.Null(log.Records[^1].Value);
    }

    [Fact]
    public void PartitionFor_MatchesKafka()
    {
        Assert.Equal(99162322, ConsumerOffsetsLog.JavaHashCode("hello")); // Java: "hello".hashCode()
        Assert.Equal(99162322 % 50, ConsumerOffsetsLog.PartitionFor("hello", 50));
    }
}

