using Kora.Protocol.Messages;
using Kora.Raft.Log;
using Kora.Raft.Tests.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Raft.Tests.Core;

public class BackgroundFlushTests
{
    [Fact]
    public void A_leader_counts_its_entries_only_once_the_background_fsync_has_completed()
    {
        var flusher = new DeferredFlusher();
        var h = new CoreHarness(flusher: flusher);
        h.BecomeLeader();
        h.Advance(0);
        Assert.Single(flusher.Pending);
        Assert.Equal(0, h.Log.FlushedOffset);

        // Follower 2 holds the leader-change entry, but the leader's own copy is not durable yet.
        h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 1, 1));
        Assert.Equal(0, h.Core.HighWatermark);

        h.Advance(0);
        Assert.Single(flusher.Pending);
        flusher.CompleteAll(h);
        Assert.Equal(1, h.Log.FlushedOffset);
        h.Request<FetchResponse>(2, FetchRequest.ApiKey, CoreHarness.Fetch(2, 1, 1, 1));
        Assert.Equal(1, h.Core.HighWatermark);
    }

    [Fact]
    public void A_follower_sends_its_next_fetch_only_after_its_fetched_entries_are_durable()
    {
        var flusher = new DeferredFlusher();
        var h = new CoreHarness(nodeId: 2, flusher: flusher);
        h.Request<BeginQuorumEpochResponse>(1, BeginQuorumEpochRequest.ApiKey, CoreHarness.BeginEpoch(1, 1));
        h.Advance(0);
        h.Respond(1, new FetchResponse
        {
            Responses =
            [
                new FetchResponse.FetchableTopicResponse
                {
                    TopicId = RaftConfig.MetadataTopicId,
                    Partitions = [new FetchResponse.PartitionData { HighWatermark = 0, CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = 1, LeaderEpoch = 1 }, Records = new Kora.Protocol.Primitives.RecordsData(CoreHarness.Data(0, 1, "a", "b")) }],
                },
            ],
        });
        var fetchesBefore = h.RequestsTo(1, FetchRequest.ApiKey).Count;
        h.Advance(0);
        Assert.Equal(2, h.Log.EndOffset);
        Assert.Equal(fetchesBefore, h.RequestsTo(1, FetchRequest.ApiKey).Count);
        Assert.Single(flusher.Pending);

        flusher.CompleteAll(h);
        h.Advance(0);
        var next = h.RequestsTo(1, FetchRequest.ApiKey);
        Assert.Equal(fetchesBefore + 1, next.Count);
        Assert.Equal(2, ((FetchRequest)next[^1].Body).Topics[0].Partitions[0].FetchOffset);
    }

    [Fact]
    public void A_truncation_while_an_fsync_runs_limits_what_the_fsync_may_claim()
    {
        var disk = new SimulatedFileSystem();
        var log = FileRaftLog.Open(disk, CoreHarness.Directory, NullLogger.Instance);
        log.Append(CoreHarness.Data(0, 1, "a"));
        log.Append(CoreHarness.Data(1, 1, "b", "c"));
        var flush = log.PrepareFlush();
        log.TruncateTo(1);
        log.Append(CoreHarness.Data(1, 2, "x", "y", "z"));
        flush.Run();
        log.CompleteFlush(flush);
        Assert.Equal(1, log.FlushedOffset);
        Assert.Equal(4, log.EndOffset);
    }
}
