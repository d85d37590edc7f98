using Kora.Broker.Replication.Sessions;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Replication;

/// <summary>
/// The follower's KIP-227 session against a fake leader that keeps a session the way Kafka's does: full then
/// incremental requests, changed/added/forgotten partitions, and the fall-backs to a full fetch.
/// </summary>
public sealed class ReplicaFetchSessionTests
{
    private static readonly Guid TopicA = Guid.NewGuid();
    private static readonly Guid TopicB = Guid.NewGuid();

    private static ReplicaFetchPartition P(Guid topic, int partition, long offset, int epoch = 3) =>
        new(topic, topic == TopicA ? "a" : "b", partition, epoch, offset, LastFetchedEpoch: epoch, LogStartOffset: 0, MaxBytes: 1 << 20);

    private static FetchRequest Build(ReplicaFetchSession session, params ReplicaFetchPartition[] wanted)
    {
        var request = new FetchRequest();
        session.Fill(request, wanted);
        return request;
    }

    private static List<(Guid, int)> Sent(FetchRequest request) =>
        [.. request.Topics.SelectMany(t => t.Partitions.Select(p => (t.TopicId, p.Partition)))];

    private static List<(Guid, int)> Forgotten(FetchRequest request) =>
        [.. request.ForgottenTopicsData.SelectMany(t => t.Partitions.Select(p => (t.TopicId, p)))];

    private static FetchResponse Answer(int sessionId, params (Guid Topic, int Partition)[] partitions)
    {
        var response = new FetchResponse { SessionId = sessionId };
        foreach (var group in partitions.GroupBy(p => p.Topic))
        {
            var topic = new FetchResponse.FetchableTopicResponse { TopicId = group.Key };
            topic.Partitions.AddRange(group.Select(p => new FetchResponse.PartitionData { PartitionIndex = p.Partition }));
            response.Responses.Add(topic);
        }
        return response;
    }

    [Fact]
    public void A_refused_partition_is_sent_again_though_its_position_did_not_move()
    {
        var session = new ReplicaFetchSession();
        Build(session, P(TopicA, 0, 10), P(TopicB, 0, 5));
        Assert.True(session.HandleResponse(Answer(42, (TopicA, 0), (TopicB, 0))));

        // Unchanged positions: an incremental request names nothing.
        var quiet = Build(session, P(TopicA, 0, 10), P(TopicB, 0, 5));
        Assert.Empty(Sent(quiet));
        Assert.True(session.HandleResponse(Answer(42)));

        // The leader refused B-0 (it did not know the topic id yet): the next request names it again, and only it.
        session.Resend(TopicB, 0);
        var again = Build(session, P(TopicA, 0, 10), P(TopicB, 0, 5));
        Assert.Equal([(TopicB, 0)], Sent(again));
        Assert.Empty(Forgotten(again));
        Assert.Equal(42, again.SessionId);
    }

    [Fact]
    public void FirstRequestIsFullAndOpensASession()
    {
        var session = new ReplicaFetchSession();
        var request = Build(session, P(TopicA, 0, 10), P(TopicA, 1, 20), P(TopicB, 0, 5));
        Assert.Equal(0, request.SessionId);
        Assert.Equal(0, request.SessionEpoch);
        Assert.Equal([(TopicA, 0), (TopicA, 1), (TopicB, 0)], Sent(request));
        Assert.Empty(Forgotten(request));
        Assert.True(session.HandleResponse(Answer(42, (TopicA, 0))));
        Assert.Equal(42, session.SessionId);
        Assert.Equal(1, session.NextEpoch);
    }

    [Fact]
    public void IncrementalRequestsCarryOnlyChangesAndForgetRemovedPartitions()
    {
        var session = new ReplicaFetchSession();
        Build(session, P(TopicA, 0, 10), P(TopicA, 1, 20), P(TopicB, 0, 5));
        Assert.True(session.HandleResponse(Answer(42)));

        var unchanged = Build(session, P(TopicA, 0, 10), P(TopicA, 1, 20), P(TopicB, 0, 5));
        Assert.Equal((42, 1), (unchanged.SessionId, unchanged.SessionEpoch));
        Assert.Empty(Sent(unchanged));
        Assert.Empty(Forgotten(unchanged));
        Assert.True(session.HandleResponse(Answer(42)));

        // A moved fetch offset, a new leader epoch, an added partition, and one no longer fetched.
        var changed = Build(session, P(TopicA, 0, 15), P(TopicA, 1, 20, epoch: 4), P(TopicA, 2, 0));
        Assert.Equal((42, 2), (changed.SessionId, changed.SessionEpoch));
        Assert.Equal([(TopicA, 0), (TopicA, 1), (TopicA, 2)], Sent(changed));
        Assert.Equal([(TopicB, 0)], Forgotten(changed));
        Assert.Equal(15, changed.Topics[0].Partitions[0].FetchOffset);
        Assert.True(session.HandleResponse(Answer(42, (TopicA, 0))));
        Assert.Equal(3, session.NextEpoch);
        Assert.Equal(3, session.PartitionCount);
    }

    [Fact]
    public void UnknownSessionStartsAFreshFullSession()
    {
        var session = new ReplicaFetchSession();
        Build(session, P(TopicA, 0, 10), P(TopicA, 1, 20));
        session.HandleResponse(Answer(42));
        Build(session, P(TopicA, 0, 11), P(TopicA, 1, 20));

        Assert.False(session.HandleResponse(new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound }));
        var full = Build(session, P(TopicA, 0, 11), P(TopicA, 1, 20));
        Assert.Equal((0, 0), (full.SessionId, full.SessionEpoch));
        Assert.Equal([(TopicA, 0), (TopicA, 1)], Sent(full));
    }

    [Fact]
    public void InvalidEpochClosesTheOldSessionWithAFullRequest()
    {
        var session = new ReplicaFetchSession();
        Build(session, P(TopicA, 0, 10));
        session.HandleResponse(Answer(42));
        Build(session, P(TopicA, 0, 10));

        Assert.False(session.HandleResponse(new FetchResponse { ErrorCode = (short)ErrorCode.InvalidFetchSessionEpoch }));
        var full = Build(session, P(TopicA, 0, 10));
        Assert.Equal((42, 0), (full.SessionId, full.SessionEpoch));
        Assert.Equal([(TopicA, 0)], Sent(full));
        Assert.True(session.HandleResponse(Answer(43)));
        Assert.Equal((43, 1), (session.SessionId, session.NextEpoch));
    }

    [Fact]
    public void LostConnectionMakesTheNextRequestFull()
    {
        var session = new ReplicaFetchSession();
        Build(session, P(TopicA, 0, 10), P(TopicB, 0, 1));
        session.HandleResponse(Answer(42));
        Build(session, P(TopicA, 0, 10));
        session.HandleError();

        var full = Build(session, P(TopicA, 0, 12));
        Assert.Equal((42, 0), (full.SessionId, full.SessionEpoch));
        Assert.Equal([(TopicA, 0)], Sent(full));
        Assert.Empty(Forgotten(full));
    }

    [Fact]
    public void LeaderWithoutASessionKeepsEveryRequestFull()
    {
        var session = new ReplicaFetchSession();
        Build(session, P(TopicA, 0, 10));
        Assert.True(session.HandleResponse(Answer(0, (TopicA, 0))));
        var again = Build(session, P(TopicA, 0, 10));
        Assert.Equal((0, 0), (again.SessionId, again.SessionEpoch));
        Assert.Equal([(TopicA, 0)], Sent(again));
    }

    [Fact]
    public void AnswerOutsideTheSessionIsIgnoredAndTheSessionRestarts()
    {
        var session = new ReplicaFetchSession();
        Build(session, P(TopicA, 0, 10));
        session.HandleResponse(Answer(42));
        Build(session, P(TopicA, 0, 10));

        Assert.False(session.HandleResponse(Answer(42, (TopicB, 7))));
        Assert.True(session.NextIsFull);
        Assert.Equal(42, Build(session, P(TopicA, 0, 10)).SessionId);
    }

    [Fact]
    public void FakeLeaderSessionAlwaysKnowsTheFollowersPositions()
    {
        var leader = new FakeLeader();
        var session = new ReplicaFetchSession();
        var offsets = new Dictionary<(Guid, int), long> { [(TopicA, 0)] = 0, [(TopicA, 1)] = 0, [(TopicB, 0)] = 0 };
        var random = new Random(7);
        var sentPartitions = 0;
        for (var round = 0; round < 200; round++)
        {
            if (round == 50)
            {
                offsets.Remove((TopicB, 0));
            }
            if (round == 80)
            {
                offsets[(TopicB, 1)] = 0;
            }
            if (round == 120)
            {
                leader.Evict();
            }
            var request = Build(session, [.. offsets.Select(o => P(o.Key.Item1, o.Key.Item2, o.Value))]);
            sentPartitions += Sent(request).Count;
            var response = leader.Handle(request);
            if (!session.HandleResponse(response))
            {
                continue;
            }
            Assert.Equal(offsets.OrderBy(o => o.Key).ToList(), leader.Positions.OrderBy(o => o.Key).ToList());
            // The leader returns data for some partitions; the follower appends it and fetches further next time.
            foreach (var topic in response.Responses)
            {
                foreach (var p in topic.Partitions)
                {
                    offsets[(topic.TopicId, p.PartitionIndex)] += p.HighWatermark;
                }
            }
            leader.Produce(random);
        }
        Assert.True(sentPartitions < 200 * 3, $"{sentPartitions} partitions sent in 200 requests");
        Assert.Equal(2, leader.SessionsOpened);
    }

    /// <summary>A leader's session cache in miniature: answers with the records (as a count) each partition has past its fetch offset.</summary>
    private sealed class FakeLeader
    {
        private readonly Dictionary<(Guid, int), long> _ends = [];
        private int _id;
        private int _nextEpoch;

        public Dictionary<(Guid, int), long> Positions { get; } = [];
        public int SessionsOpened { get; private set; }

        public void Evict() => _id = 0;

        public void Produce(Random random)
        {
            foreach (var key in Positions.Keys)
            {
                if (random.Next(3) == 0)
                {
                    _ends[key] = _ends.GetValueOrDefault(key) + random.Next(1, 5);
                }
            }
        }

        public FetchResponse Handle(FetchRequest request)
        {
            var incremental = request.SessionEpoch > 0;
            if (incremental && request.SessionId != _id)
            {
                return new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound };
            }
            if (incremental && request.SessionEpoch != _nextEpoch)
            {
                return new FetchResponse { ErrorCode = (short)ErrorCode.InvalidFetchSessionEpoch };
            }
            if (!incremental)
            {
                Positions.Clear();
                _id = ++SessionsOpened + 100;
                _nextEpoch = 0;
            }
            _nextEpoch++;
            foreach (var topic in request.Topics)
            {
                foreach (var p in topic.Partitions)
                {
                    Positions[(topic.TopicId, p.Partition)] = p.FetchOffset;
                }
            }
            foreach (var topic in request.ForgottenTopicsData)
            {
                foreach (var p in topic.Partitions)
                {
                    Positions.Remove((topic.TopicId, p));
                }
            }
            var response = new FetchResponse { SessionId = _id };
            foreach (var ((topicId, partition), offset) in Positions)
            {
                var available = _ends.GetValueOrDefault((topicId, partition)) - offset;
                if (available > 0 || !incremental)
                {
                    var topic = response.Responses.Find(t => t.TopicId == topicId);
                    if (topic is null)
                    {
                        topic = new FetchResponse.FetchableTopicResponse { TopicId = topicId };
                        response.Responses.Add(topic);
                    }
                    topic.Partitions.Add(new FetchResponse.PartitionData { PartitionIndex = partition, HighWatermark = Math.Max(available, 0) });
                }
            }
            return response;
        }
    }
}
