using Kora.Protocol.Messages;

namespace Kora.Raft.Tests.Core;

/// <summary>Kora's fast failover: refused connections to the leader start a pre-vote before the fetch timeout.</summary>
public class UnreachableLeaderTests
{
    private static CoreHarness FollowerOf2(int unreachableLeaderTimeoutMs)
    {
        var harness = new CoreHarness(unreachableLeaderTimeoutMs: unreachableLeaderTimeoutMs);
        harness.Request<BeginQuorumEpochResponse>(2, BeginQuorumEpochRequest.ApiKey, CoreHarness.BeginEpoch(2, 1));
        harness.Advance(0);
        Assert.Equal(RaftRole.Follower, harness.Core.Role);
        AnswerFetch(harness);
        harness.Advance(1);
        return harness;
    }

    private static void AnswerFetch(CoreHarness harness) => harness.Respond(2, new FetchResponse
    {
        Responses = [new FetchResponse.FetchableTopicResponse
        {
            TopicId = RaftConfig.MetadataTopicId,
            Partitions = [new FetchResponse.PartitionData { HighWatermark = 0, CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = 2, LeaderEpoch = 1 } }],
        }],
    });

    [Fact]
    public void ALeaderNeverReached_IsGivenTheWholeFetchTimeout()
    {
        var harness = new CoreHarness(unreachableLeaderTimeoutMs: 20);
        harness.Request<BeginQuorumEpochResponse>(2, BeginQuorumEpochRequest.ApiKey, CoreHarness.BeginEpoch(2, 1));
        harness.Advance(0);
        FailFetchTo2(harness);
        harness.Advance(150);
        Assert.Equal(RaftRole.Follower, harness.Core.Role);
    }

    private static void FailFetchTo2(CoreHarness harness)
    {
        var fetch = harness.RequestsTo(2, FetchRequest.ApiKey).Last();
        harness.Core.OnRequestFailed(2, fetch.CorrelationId, harness.Now);
    }

    [Fact]
    public void RefusedFetches_StartAPreVote_BeforeTheFetchTimeout()
    {
        var harness = FollowerOf2(unreachableLeaderTimeoutMs: 20);
        FailFetchTo2(harness);
        harness.Advance(41);

        Assert.Equal(RaftRole.Prospective, harness.Core.Role);
        Assert.Contains(harness.Sent, m => !m.IsResponse && m.Destination == 3 && m.ApiKey == VoteRequest.ApiKey && m.PreVote);
        Assert.Equal(1, harness.Core.Epoch);
    }

    [Fact]
    public void ASuccessfulFetch_CancelsTheEarlyElection()
    {
        var harness = FollowerOf2(unreachableLeaderTimeoutMs: 20);
        FailFetchTo2(harness);
        harness.Advance(25);
        AnswerFetch(harness);
        harness.Advance(100);

        Assert.Equal(RaftRole.Follower, harness.Core.Role);
    }

    [Fact]
    public void TurnedOff_TheFollowerWaitsForTheFetchTimeout_AsKafkaDoes()
    {
        var harness = FollowerOf2(unreachableLeaderTimeoutMs: 0);
        FailFetchTo2(harness);
        harness.Advance(150);
        Assert.Equal(RaftRole.Follower, harness.Core.Role);
        harness.Advance(60);
        Assert.Equal(RaftRole.Prospective, harness.Core.Role);
    }
}
