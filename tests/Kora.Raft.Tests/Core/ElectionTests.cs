using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Raft.Log;

namespace Kora.Raft.Tests.Core;

public sealed class ElectionTests
{
    [Fact]
    public void ElectionTimeoutStartsAPreVoteWithoutBumpingTheEpoch()
    {
        var h = new CoreHarness();
        h.Advance(199);
        Assert.Equal(RaftRole.Prospective, h.Core.Role);
        Assert.Equal(0, h.Core.Epoch);
        var preVotes = h.Sent.Where(m => m.ApiKey == VoteRequest.ApiKey).ToList();
        Assert.Equal([2, 3], preVotes.Select(m => m.Destination).Order());
        Assert.All(preVotes, m => Assert.True(m.PreVote));
        Assert.Equal(0, ((VoteRequest)preVotes[0].Body).Topics[0].Partitions[0].CandidateEpoch);
        Assert.Equal(0, h.Store.Read()!.Value.Epoch);
    }

    [Fact]
    public void MajorityOfPreVotesMakesACandidateThatPersistsItsOwnVote()
    {
        var h = new CoreHarness();
        h.Advance(199);
        h.Respond(2, CoreHarness.VoteAnswer(0, granted: true));
        Assert.Equal(RaftRole.Candidate, h.Core.Role);
        Assert.Equal(1, h.Core.Epoch);
        Assert.Equal(new Quorum.ElectionState(1, -1, 1), h.Store.Read());
        h.Advance(0);
        var vote = h.RequestsTo(3, VoteRequest.ApiKey).Last();
        Assert.False(vote.PreVote);
        Assert.Equal(1, ((VoteRequest)vote.Body).Topics[0].Partitions[0].CandidateEpoch);
    }

    [Fact]
    public void RejectedPreVotesReturnToUnattachedInTheSameEpoch()
    {
        var h = new CoreHarness();
        h.Advance(199);
        h.Respond(2, CoreHarness.VoteAnswer(0, granted: false));
        h.Respond(3, CoreHarness.VoteAnswer(0, granted: false));
        Assert.Equal(RaftRole.Unattached, h.Core.Role);
        Assert.Equal(0, h.Core.Epoch);
    }

    [Fact]
    public void NewLeaderWritesLeaderChangeAtTheEpochStartAndAnnouncesItself()
    {
        var h = new CoreHarness();
        h.BecomeLeader();
        Assert.Equal(RaftRole.Leader, h.Core.Role);
        Assert.Equal(new Quorum.ElectionState(1, 1, 1), h.Store.Read());
        var first = h.Log.Read(0, int.MaxValue);
        Assert.True(RaftBatches.TryReadValid(first.Span, out var baseOffset, out _, out var epoch, out var isControl, out _));
        Assert.Equal((0L, 1, true), (baseOffset, epoch, isControl));
        h.Advance(0);
        Assert.NotEmpty(h.RequestsTo(2, BeginQuorumEpochRequest.ApiKey));
        Assert.NotEmpty(h.RequestsTo(3, BeginQuorumEpochRequest.ApiKey));
    }

    [Fact]
    public void SingleVoterElectsItselfAndCommitsAlone()
    {
        var h = new CoreHarness(voters: [1]);
        h.Advance(199);
        Assert.Equal(RaftRole.Leader, h.Core.Role);
        h.Core.TryAppend([new byte[] { 1 }], h.Now);
        h.Advance(1);
        Assert.Equal(2, h.Core.HighWatermark);
        Assert.Equal((1, 1), h.LeaderChanges[^1]);
        Assert.Equal(2, h.Committed.Count);
    }

    [Fact]
    public void VoteIsGrantedOncePerEpochAndPersistedBeforeTheAnswer()
    {
        var h = new CoreHarness();
        var first = h.Request<VoteResponse>(2, VoteRequest.ApiKey, CoreHarness.Vote(2, 1, 0, 0))!;
        Assert.True(first.Topics[0].Partitions[0].VoteGranted);
        Assert.Equal(new Quorum.ElectionState(1, -1, 2), h.Store.Read());
        var second = h.Request<VoteResponse>(3, VoteRequest.ApiKey, CoreHarness.Vote(3, 1, 0, 0))!;
        Assert.False(second.Topics[0].Partitions[0].VoteGranted);
        var again = h.Request<VoteResponse>(2, VoteRequest.ApiKey, CoreHarness.Vote(2, 1, 0, 0))!;
        Assert.True(again.Topics[0].Partitions[0].VoteGranted);
    }

    [Fact]
    public void VoteIsRefusedToACandidateWhoseLogIsBehind()
    {
        var h = new CoreHarness(prepare: h =>
        {
            h.Log.Append(CoreHarness.Data(0, 2, "a", "b"));
            h.Store.Write(new Quorum.ElectionState(2, -1, -1));
        });
        var olderEpoch = h.Request<VoteResponse>(2, VoteRequest.ApiKey, CoreHarness.Vote(2, 3, 1, 10))!;
        Assert.False(olderEpoch.Topics[0].Partitions[0].VoteGranted);
        var shorter = h.Request<VoteResponse>(3, VoteRequest.ApiKey, CoreHarness.Vote(3, 3, 2, 1))!;
        Assert.False(shorter.Topics[0].Partitions[0].VoteGranted);
        var upToDate = h.Request<VoteResponse>(3, VoteRequest.ApiKey, CoreHarness.Vote(3, 3, 2, 2))!;
        Assert.True(upToDate.Topics[0].Partitions[0].VoteGranted);
    }

    [Fact]
    public void PreVoteBindsNothing()
    {
        var h = new CoreHarness();
        var preVote = h.Request<VoteResponse>(2, VoteRequest.ApiKey, CoreHarness.Vote(2, 0, 0, 0), preVote: true)!;
        Assert.True(preVote.Topics[0].Partitions[0].VoteGranted);
        Assert.Equal(-1, h.Store.Read()!.Value.VotedId);
        var vote = h.Request<VoteResponse>(3, VoteRequest.ApiKey, CoreHarness.Vote(3, 1, 0, 0))!;
        Assert.True(vote.Topics[0].Partitions[0].VoteGranted);
    }

    [Fact]
    public void StaleEpochsAreFencedAndMalformedVotesRejected()
    {
        var h = new CoreHarness(prepare: h => h.Store.Write(new Quorum.ElectionState(5, -1, -1)));
        var stale = h.Request<VoteResponse>(2, VoteRequest.ApiKey, CoreHarness.Vote(2, 4, 0, 0))!;
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, stale.Topics[0].Partitions[0].ErrorCode);
        var illegal = h.Request<VoteResponse>(2, VoteRequest.ApiKey, CoreHarness.Vote(2, 6, 6, 0))!;
        Assert.Equal((short)ErrorCode.InvalidRequest, illegal.Topics[0].Partitions[0].ErrorCode);
        var cluster = h.Request<VoteResponse>(2, VoteRequest.ApiKey, CoreHarness.Vote(2, 6, 0, 0, clusterId: "other"))!;
        Assert.Equal((short)ErrorCode.InconsistentClusterId, cluster.ErrorCode);
        Assert.Equal(5, h.Core.Epoch);
    }

    [Fact]
    public void FollowerThatHasFetchedRejectsPreVotes()
    {
        var h = new CoreHarness();
        h.Request<BeginQuorumEpochResponse>(2, BeginQuorumEpochRequest.ApiKey, CoreHarness.BeginEpoch(2, 1));
        Assert.Equal(RaftRole.Follower, h.Core.Role);
        var before = h.Request<VoteResponse>(3, VoteRequest.ApiKey, CoreHarness.Vote(3, 1, 0, 0), preVote: true)!;
        Assert.True(before.Topics[0].Partitions[0].VoteGranted);
        h.Advance(0);
        h.Respond(2, FetchTests.EmptyFetchAnswer(2, 1, highWatermark: 0));
        var after = h.Request<VoteResponse>(3, VoteRequest.ApiKey, CoreHarness.Vote(3, 1, 0, 0), preVote: true)!;
        Assert.False(after.Topics[0].Partitions[0].VoteGranted);
    }

    [Fact]
    public void LeaderThatRestartsComesBackResignedAndNeverLeadsThatEpochAgain()
    {
        var disk = new Simulation.SimulatedFileSystem();
        var first = new CoreHarness(disk: disk);
        first.BecomeLeader();
        var restarted = new CoreHarness(disk: disk);
        Assert.Equal(RaftRole.Resigned, restarted.Core.Role);
        Assert.Equal(1, restarted.Core.Epoch);
        restarted.Advance(0);
        Assert.NotEmpty(restarted.RequestsTo(2, EndQuorumEpochRequest.ApiKey));
        restarted.Advance(250);
        Assert.Equal(2, restarted.Core.Epoch);
        Assert.Equal(RaftRole.Prospective, restarted.Core.Role);
    }

    [Fact]
    public void StaleAndDuplicatedResponsesAreIgnored()
    {
        var h = new CoreHarness();
        h.Advance(199);
        var preVote = h.RequestsTo(2, VoteRequest.ApiKey).Last();
        h.Respond(2, CoreHarness.VoteAnswer(0, granted: true));
        Assert.Equal(RaftRole.Candidate, h.Core.Role);
        // The same answer again (a duplicate) must not count as a binding vote in epoch 1.
        h.Core.Handle(CoreHarness.RoundTrip(new Messages.RaftMessage
        {
            Source = 2, Destination = 1, CorrelationId = preVote.CorrelationId, ApiKey = VoteRequest.ApiKey,
            ApiVersion = 1, IsResponse = true, Body = CoreHarness.VoteAnswer(1, granted: true),
        }), h.Now);
        Assert.Equal(RaftRole.Candidate, h.Core.Role);
    }
}
