using Kora.Broker.Fetching;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Broker.Replication;
using Kora.Broker.Telemetry;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Storage.Log;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// Fetch v4-17. Reads whole batches up to the high watermark (read_uncommitted) or the last stable offset
/// (read_committed, which also lists the aborted transactions in the returned range), bounded by partition_max_bytes and the
/// response's max_bytes (the first partition may exceed them by one batch so progress is always
/// possible), long-polls until min_bytes arrive or max_wait passes, and keeps incremental fetch sessions
/// (KIP-227, v7+) so steady consumers send and receive only what changed. v13+ names topics by id.
/// Record bytes are copied from the segment files straight into the response buffer.
/// <para>
/// A fetch with a replica id (ReplicaState from v15) is a follower's: it reads to the log end, not the high
/// watermark; its fetch offset is recorded as that follower's log end (which may move the high watermark and
/// grow the ISR), and a last fetched epoch the leader's epoch cache does not end where the follower's log does
/// is answered with the diverging epoch (KIP-320) so the follower truncates.
/// </para>
/// </summary>
public sealed class FetchHandler(
    PartitionManager partitions,
    TopicAdmin admin,
    FetchSessionCache sessions,
    IResourceNames names,
    BrokerMetrics metrics,
    IOptions<BrokerOptions> options,
    TimeProvider time,
    Replication.IsrChangeSender? isrChanges = null,
    Replication.Throttling.ReplicationQuotas? quotas = null) : ApiHandler<FetchRequest, FetchResponse>
{
    private const sbyte ReadCommitted = 1;

    // Shared, never modified: read_committed answers carry an empty list when nothing was aborted, as Kafka's do.
    private static readonly List<FetchResponse.AbortedTransaction> NoAbortedTransactions = [];
    private readonly int _brokerMaxBytes = options.Value.FetchMaxBytes;
    private readonly bool _rackAware = string.Equals(options.Value.ReplicaSelector, "rack-aware", StringComparison.OrdinalIgnoreCase);
    private readonly int _nodeId = options.Value.NodeId;

    public override short ApiKey => FetchRequest.ApiKey;
    public override short MinVersion => 4;
    public override short MaxVersion => 17;
    protected override short FirstFlexibleVersion => FetchRequest.LowestFlexibleVersion;

    protected override void SetError(FetchResponse response, ErrorCode error) => response.ErrorCode = (short)error;

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request)
    {
        var version = context.Version;
        var (session, incremental, sessionError) = OpenSession(request, version);
        if (sessionError != ErrorCode.None)
        {
            return new FetchResponse { ErrorCode = (short)sessionError };
        }
        var wanted = Resolve(context, request, session, version);
        var maxBytes = Math.Min(request.MaxBytes <= 0 ? int.MaxValue : request.MaxBytes, _brokerMaxBytes);
        var deadline = time.GetTimestamp() + (long)(Math.Max(0, request.MaxWaitMs) * (time.TimestampFrequency / 1000.0));
        var readCommitted = request.IsolationLevel == ReadCommitted;
        var replicaId = version >= 15 ? request.ReplicaState?.ReplicaId ?? -1 : request.ReplicaId;
        var replica = replicaId >= 0 ? new FollowerFetch(replicaId, version >= 15 ? request.ReplicaState?.ReplicaEpoch ?? -1 : -1) : null;
        // v11+ consumers send client metadata: they may read from a follower, and be pointed at one in their rack.
        var consumer = replica is null && version >= 11 ? new ConsumerFetch(string.IsNullOrEmpty(request.RackId) ? null : request.RackId) : null;
        while (true)
        {
            var waits = new List<Task>();
            var outcome = ReadAll(wanted, maxBytes, readCommitted, incremental, replica, consumer);
            var done = outcome.Bytes >= request.MinBytes || outcome.HasError || request.MaxWaitMs <= 0 || time.GetTimestamp() >= deadline;
            if (!done)
            {
                // Register for the next append first, then look again: an append in between is not missed.
                foreach (var w in wanted)
                {
                    if (partitions.Get(w.Topic, w.Partition) is { } p)
                    {
                        waits.Add(p.WaitForDataAsync());
                    }
                }
                outcome = ReadAll(wanted, maxBytes, readCommitted, incremental, replica, consumer);
                done = outcome.Bytes >= request.MinBytes || outcome.HasError;
            }
            if (done)
            {
                return Answer(outcome, session, version);
            }
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return Answer(outcome, session, version);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.Aborted, context.Stopping);
            var delay = Task.Delay(remaining, time, timeout.Token);
            waits.Add(delay);
            await Task.WhenAny(waits).ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
            context.Aborted.ThrowIfCancellationRequested();
            if (time.GetTimestamp() >= deadline || context.Stopping.IsCancellationRequested)
            {
                var last = ReadAll(wanted, maxBytes, readCommitted, incremental, replica, consumer);
                return Answer(last, session, version);
            }
        }
    }

    private (FetchSession? Session, bool Incremental, ErrorCode Error) OpenSession(FetchRequest request, short version)
    {
        if (version < 7)
        {
            return (null, false, ErrorCode.None);
        }
        var (id, epoch) = (request.SessionId, request.SessionEpoch);
        if (id == 0)
        {
            return epoch switch
            {
                0 => (NewSession(request, version), false, ErrorCode.None),
                -1 => (null, false, ErrorCode.None),
                _ => (null, false, ErrorCode.InvalidFetchSessionEpoch),
            };
        }
        if (epoch == -1)
        {
            sessions.Remove(id);
            return (null, false, ErrorCode.None);
        }
        if (epoch == 0)
        {
            sessions.Remove(id);
            return (NewSession(request, version), false, ErrorCode.None);
        }
        var session = sessions.Get(id);
        if (session is null)
        {
            return (null, false, ErrorCode.FetchSessionIdNotFound);
        }
        if (session.NextEpoch != epoch)
        {
            return (null, false, ErrorCode.InvalidFetchSessionEpoch);
        }
        session.NextEpoch++;
        return (session, true, ErrorCode.None);
    }

    /// <summary>A session for a full fetch; a follower's is privileged, and its size is what the request names.</summary>
    private FetchSession? NewSession(FetchRequest request, short version)
    {
        var follower = (version >= 15 ? request.ReplicaState?.ReplicaId ?? -1 : request.ReplicaId) >= 0;
        var size = 0;
        foreach (var topic in request.Topics)
        {
            size += topic.Partitions.Count;
        }
        return sessions.Create(follower, size);
    }

    private List<FetchSessionPartition> Resolve(RequestContext context, FetchRequest request, FetchSession? session, short version)
    {
        var useIds = version >= 13;
        var image = admin.Image;
        var list = new List<FetchSessionPartition>();
        foreach (var topic in request.Topics)
        {
            var name = useIds
                ? image.Topic(topic.TopicId)?.Name ?? ""
                : names.ToInternal(context.Connection, ResourceKind.Topic, topic.Topic);
            var topicId = useIds ? topic.TopicId : image.Topic(name)?.Id ?? Guid.Empty;
            foreach (var p in topic.Partitions)
            {
                var entry = session?.Upsert(name, topicId, p.Partition, useIds) ?? new FetchSessionPartition(name, topicId, p.Partition);
                entry.FetchOffset = p.FetchOffset;
                entry.MaxBytes = p.PartitionMaxBytes;
                entry.CurrentLeaderEpoch = p.CurrentLeaderEpoch;
                entry.LastFetchedEpoch = version >= 12 ? p.LastFetchedEpoch : -1;
                entry.ExternalName = topic.Topic;
                if (session is null)
                {
                    list.Add(entry);
                }
            }
        }
        if (session is not null)
        {
            foreach (var forgotten in request.ForgottenTopicsData)
            {
                var name = useIds ? image.Topic(forgotten.TopicId)?.Name ?? "" : names.ToInternal(context.Connection, ResourceKind.Topic, forgotten.Topic);
                var topicId = useIds ? forgotten.TopicId : image.Topic(name)?.Id ?? Guid.Empty;
                foreach (var p in forgotten.Partitions)
                {
                    session.Remove(name, topicId, p, useIds);
                }
            }
            if (useIds)
            {
                session.ResolveUnknownNames(image);
            }
            list.AddRange(session.Partitions);
        }
        return list;
    }

    private ReadOutcome ReadAll(List<FetchSessionPartition> wanted, int maxBytes, bool readCommitted, bool incremental, FollowerFetch? replica, ConsumerFetch? consumer)
    {
        var outcome = new ReadOutcome();
        var nowMs = replica is null ? 0 : time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var w in wanted)
        {
            var data = new FetchResponse.PartitionData
            {
                PartitionIndex = w.Partition,
                HighWatermark = -1,
                LastStableOffset = -1,
                LogStartOffset = -1,
                Records = RecordsData.Empty,
                AbortedTransactions = readCommitted ? NoAbortedTransactions : null,
            };
            var partition = partitions.GetLed(w.Topic, w.Partition, out var notLed);
            if ((replica is not null || consumer is not null) && partition is null && notLed == ErrorCode.NotLeaderOrFollower)
            {
                // Followers fetch from the leader's state; KIP-392 consumers may read a follower's copy up to its high watermark.
                partition = partitions.Get(w.Topic, w.Partition);
            }
            if (partition is null || (w.TopicId != Guid.Empty && partition.TopicId != w.TopicId))
            {
                // A topic named by an id this broker does not know has no name to look up.
                data.ErrorCode = (short)(w.Topic.Length == 0 ? ErrorCode.UnknownTopicId
                    : partition is null && notLed == ErrorCode.NotLeaderOrFollower ? ErrorCode.NotLeaderOrFollower : ErrorCode.UnknownTopicOrPartition);
                outcome.Add(w, data, 0, isError: true);
                continue;
            }
            var log = partition.Log;
            var highWatermark = log.HighWatermark;
            var lastStable = Math.Min(log.LastStableOffset, highWatermark);
            data.HighWatermark = highWatermark;
            data.LastStableOffset = lastStable;
            data.LogStartOffset = log.LogStartOffset;
            if (LeaderReplicaRead.CheckLeaderEpoch(partition, w.CurrentLeaderEpoch) is var epochError and not ErrorCode.None)
            {
                data.ErrorCode = (short)epochError;
                outcome.Add(w, data, 0, isError: true);
                continue;
            }
            if (replica is not null)
            {
                var follower = LeaderReplicaRead.Read(partition, w.FetchOffset, w.LastFetchedEpoch, w.MaxBytes, replica.Id, replica.BrokerEpoch,
                    data, maxBytes - outcome.Bytes, outcome.Bytes == 0, nowMs, quotas?.Leader, out var expansion);
                if (expansion is not null)
                {
                    isrChanges?.Submit(partition, expansion);
                }
                // A diverging epoch answers at once, as an error does: the follower must truncate before anything else.
                var urgent = data.ErrorCode != 0 || data.DivergingEpoch is not null;
                // In a follower's session, as in a consumer's, a partition with nothing new is left out of the answer.
                var news = !incremental || urgent || follower > 0 || data.HighWatermark != w.LastHighWatermark || data.LogStartOffset != w.LastLogStartOffset;
                outcome.Add(w, news ? data : null, follower, isError: urgent);
                continue;
            }
            if (consumer is not null)
            {
                if (consumer.Rack is { } rack && partition.IsLeader && _rackAware && SelectReadReplica(partition, rack, w.FetchOffset) is var preferred and >= 0)
                {
                    // Kafka answers at once with no records, naming the replica to read from.
                    data.PreferredReadReplica = preferred;
                    outcome.Add(w, data, 0, isError: true);
                    continue;
                }
                metrics.PartitionRead(asFollower: !partition.IsLeader);
            }
            var budget = Math.Min(w.MaxBytes, maxBytes - outcome.Bytes);
            if (budget > 0 || outcome.Bytes == 0)
            {
                // read_committed stops at the last stable offset: nothing of an undecided transaction is returned.
                var read = log.Read(w.FetchOffset, Math.Max(budget, 0), readCommitted ? lastStable : highWatermark, minOneMessage: outcome.Bytes == 0);
                if (read.Status == ReadStatus.OffsetOutOfRange)
                {
                    data.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                    outcome.Add(w, data, 0, isError: true);
                    continue;
                }
                if (read.Records is { Length: > 0 } source)
                {
                    data.Records = new RecordsData(source);
                    if (readCommitted && log.CollectAbortedTransactions(w.FetchOffset, read.NextOffset) is { } aborted)
                    {
                        data.AbortedTransactions = ToResponse(aborted);
                    }
                    outcome.Add(w, data, source.Length, isError: false);
                    continue;
                }
            }
            var changed = !incremental || highWatermark != w.LastHighWatermark || data.LogStartOffset != w.LastLogStartOffset;
            outcome.Add(w, changed ? data : null, 0, isError: false);
        }
        return outcome;
    }

    /// <summary>
    /// Kafka's RackAwareReplicaSelector: an in-sync replica other than this leader, in the consumer's rack, whose
    /// log already holds the fetch offset; -1 when the leader itself should serve (it is in the rack, or none is).
    /// </summary>
    private int SelectReadReplica(Partition partition, string rack, long fetchOffset)
    {
        var brokers = admin.Image.Brokers;
        if (brokers.TryGetValue(_nodeId, out var self) && self.Rack == rack)
        {
            return -1;
        }
        foreach (var id in partition.Isr)
        {
            if (id != _nodeId && brokers.TryGetValue(id, out var broker) && !broker.Fenced && broker.Rack == rack && partition.FollowerLogEndOffset(id) >= fetchOffset)
            {
                return id;
            }
        }
        return -1;
    }

    private sealed record FollowerFetch(int Id, long BrokerEpoch);

    private sealed record ConsumerFetch(string? Rack);

    private static List<FetchResponse.AbortedTransaction> ToResponse(List<AbortedTxn> aborted)
    {
        var list = new List<FetchResponse.AbortedTransaction>(aborted.Count);
        foreach (var txn in aborted)
        {
            list.Add(new FetchResponse.AbortedTransaction { ProducerId = txn.ProducerId, FirstOffset = txn.FirstOffset });
        }
        return list;
    }

    private FetchResponse Answer(ReadOutcome outcome, FetchSession? session, short version)
    {
        var useIds = version >= 13;
        var response = new FetchResponse { SessionId = session?.Id ?? 0 };
        FetchResponse.FetchableTopicResponse? current = null;
        MetadataImage? image = null;
        foreach (var (w, data) in outcome.Partitions)
        {
            if (version >= 16 && data.ErrorCode is (short)ErrorCode.NotLeaderOrFollower or (short)ErrorCode.FencedLeaderEpoch)
            {
                AddLeaderHint(response, data, w, image ??= admin.Image);
            }
            // After an error the next answer must carry the partition again, as Kafka's cached partition does.
            w.LastHighWatermark = data.ErrorCode != 0 ? -1 : data.HighWatermark;
            w.LastLogStartOffset = data.LogStartOffset;
            if (current is null || (useIds ? current.TopicId != w.TopicId : current.Topic != w.ExternalName))
            {
                current = new FetchResponse.FetchableTopicResponse { Topic = w.ExternalName ?? w.Topic, TopicId = w.TopicId };
                response.Responses.Add(current);
            }
            current.Partitions.Add(data);
        }
        metrics.Fetched(outcome.Bytes);
        return response;
    }

    /// <summary>
    /// KIP-951 (v16+, as Kafka): a partition answered NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names the current
    /// leader and its endpoint, so the client fetches there at once instead of refreshing its metadata first.
    /// </summary>
    private static void AddLeaderHint(FetchResponse response, FetchResponse.PartitionData data, FetchSessionPartition w, MetadataImage image)
    {
        var topic = w.TopicId != Guid.Empty ? image.Topic(w.TopicId) : image.Topic(w.Topic);
        if (!LeaderHints.TryFind(image, topic, w.Partition, out var leader, out var leaderEpoch))
        {
            return;
        }
        data.CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = leader.Id, LeaderEpoch = leaderEpoch };
        if (!response.NodeEndpoints.Any(n => n.NodeId == leader.Id))
        {
            response.NodeEndpoints.Add(new FetchResponse.NodeEndpoint { NodeId = leader.Id, Host = leader.Host, Port = leader.Port, Rack = leader.Rack });
        }
    }

    private sealed class ReadOutcome
    {
        public List<(FetchSessionPartition Wanted, FetchResponse.PartitionData Data)> Partitions { get; } = [];
        public int Bytes { get; private set; }
        public bool HasError { get; private set; }

        public void Add(FetchSessionPartition wanted, FetchResponse.PartitionData? data, int bytes, bool isError)
        {
            if (data is not null)
            {
                Partitions.Add((wanted, data));
            }
            Bytes += bytes;
            HasError |= isError;
        }
    }
}
