using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Replication.Sessions;

/// <summary>
/// The follower's side of a KIP-227 fetch session with one leader (Kafka's FetchSessionHandler). The first
/// request (session 0, epoch 0) is full and asks the leader to open a session; once it answers with an id, each
/// request carries that id and the next epoch, names only partitions that are new or whose fetch offset, log
/// start, max bytes, leader epoch or last fetched epoch changed, and lists the partitions dropped since as
/// forgotten. A session error, an answer naming a partition outside the session, or a lost connection makes the
/// next request full again (closing the old session where it may still exist).
/// </summary>
internal sealed class ReplicaFetchSession
{
    private const int NoSession = 0;
    private const int InitialEpoch = 0;

    // No real fetch offset: a partition recorded with it differs from any position the fetcher wants next.
    private const long Refused = -2;

    // The partitions the leader's session holds, in the order they were added (Kafka's sessionPartitions).
    private readonly Dictionary<(Guid TopicId, int Partition), ReplicaFetchPartition> _partitions = [];

    public int SessionId { get; private set; } = NoSession;

    /// <summary>The epoch the next request carries: 0 asks for a full fetch (and a new session).</summary>
    public int NextEpoch { get; private set; } = InitialEpoch;

    public bool NextIsFull => NextEpoch == InitialEpoch;

    public int PartitionCount => _partitions.Count;

    /// <summary>
    /// Fills the session fields, topics and forgotten topics of <paramref name="request"/> for fetching
    /// <paramref name="wanted"/>, and records them as the session's partitions. Returns whether the request is full.
    /// </summary>
    public bool Fill(FetchRequest request, IReadOnlyList<ReplicaFetchPartition> wanted)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(wanted);
        request.SessionId = SessionId;
        request.SessionEpoch = NextEpoch;
        request.Topics.Clear();
        request.ForgottenTopicsData.Clear();
        if (NextIsFull)
        {
            _partitions.Clear();
            foreach (var p in wanted)
            {
                _partitions[(p.TopicId, p.Partition)] = p;
                AddPartition(request, p);
            }
            return true;
        }
        var keep = new HashSet<(Guid, int)>(wanted.Count);
        foreach (var p in wanted)
        {
            var key = (p.TopicId, p.Partition);
            keep.Add(key);
            if (!_partitions.TryGetValue(key, out var previous) || previous != p)
            {
                _partitions[key] = p;
                AddPartition(request, p);
            }
        }
        List<(Guid TopicId, int Partition)>? removed = null;
        foreach (var key in _partitions.Keys)
        {
            if (!keep.Contains(key))
            {
                (removed ??= []).Add(key);
            }
        }
        if (removed is not null)
        {
            foreach (var key in removed)
            {
                _partitions.Remove(key);
                AddForgotten(request, key.TopicId, key.Partition);
            }
        }
        return false;
    }

    /// <summary>
    /// Kafka's handleResponse: moves the session on after an answer. Returns false when the answer must be
    /// ignored (a session error or an answer that does not fit the session); the next request is then full.
    /// </summary>
    public bool HandleResponse(FetchResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.ErrorCode != 0)
        {
            if ((ErrorCode)response.ErrorCode == ErrorCode.FetchSessionIdNotFound)
            {
                Reset();
            }
            else
            {
                CloseExisting();
            }
            return false;
        }
        if (!Fits(response))
        {
            CloseExisting();
            return false;
        }
        if (NextIsFull)
        {
            if (response.SessionId == NoSession)
            {
                // The leader keeps no session for us (its cache may be full): every request stays full.
                Reset();
            }
            else
            {
                SessionId = response.SessionId;
                NextEpoch = 1;
            }
            return true;
        }
        NextEpoch = NextEpoch == int.MaxValue ? 1 : NextEpoch + 1;
        return true;
    }

    /// <summary>
    /// A partition the leader refused is named again, in full, by the next request that wants it, even when its
    /// fetch position has not moved: the leader re-reads it then (a topic id it did not know yet, say).
    /// </summary>
    public void Resend(Guid topicId, int partition)
    {
        var key = (topicId, partition);
        if (_partitions.TryGetValue(key, out var previous))
        {
            _partitions[key] = previous with { FetchOffset = Refused };
        }
    }

    /// <summary>Kafka's handleError: the request may or may not have reached the leader, so start over with a full fetch.</summary>
    public void HandleError() => CloseExisting();

    private void Reset()
    {
        SessionId = NoSession;
        NextEpoch = InitialEpoch;
    }

    // Epoch 0 with the old id: the leader drops that session (if it still has it) and opens a new one.
    private void CloseExisting() => NextEpoch = InitialEpoch;

    private bool Fits(FetchResponse response)
    {
        foreach (var topic in response.Responses)
        {
            foreach (var p in topic.Partitions)
            {
                if (!_partitions.ContainsKey((topic.TopicId, p.PartitionIndex)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static void AddPartition(FetchRequest request, ReplicaFetchPartition p)
    {
        var topics = request.Topics;
        var topic = topics.Count > 0 && topics[^1].TopicId == p.TopicId ? topics[^1] : topics.Find(t => t.TopicId == p.TopicId);
        if (topic is null)
        {
            topic = new FetchRequest.FetchTopic { TopicId = p.TopicId, Topic = p.Topic };
            topics.Add(topic);
        }
        topic.Partitions.Add(new FetchRequest.FetchPartition
        {
            Partition = p.Partition,
            CurrentLeaderEpoch = p.CurrentLeaderEpoch,
            FetchOffset = p.FetchOffset,
            LastFetchedEpoch = p.LastFetchedEpoch,
            LogStartOffset = p.LogStartOffset,
            PartitionMaxBytes = p.MaxBytes,
        });
    }

    private static void AddForgotten(FetchRequest request, Guid topicId, int partition)
    {
        var forgotten = request.ForgottenTopicsData.Find(t => t.TopicId == topicId);
        if (forgotten is null)
        {
            forgotten = new FetchRequest.ForgottenTopic { TopicId = topicId };
            request.ForgottenTopicsData.Add(forgotten);
        }
        forgotten.Partitions.Add(partition);
    }
}
