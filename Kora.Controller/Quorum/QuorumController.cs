using Kora.Metadata;
using Kora.Protocol.Primitives;
using Kora.Raft;
using Kora.Raft.Log;
using Microsoft.Extensions.Logging;

namespace Kora.Controller.Quorum;

/// <summary>
/// The metadata state machine of one controller (Kafka's QuorumController), driven on the Raft loop
/// thread only. Every replica applies committed records to <see cref="Image"/>. The active controller
/// (the Raft leader) also keeps a latest image that includes its own records not yet committed, decides
/// every change against it (so two changes in flight cannot both pass the same check), appends the
/// records, and completes the request only when the log commits them. Losing leadership drops the
/// uncommitted view and fails what waits with NOT_CONTROLLER.
/// </summary>
public sealed partial class QuorumController : IRaftListener
{
    private readonly int _nodeId;
    private readonly ControllerOptions _options;
    private readonly IControllerLog _log;
    private readonly Func<long> _clock;
    private readonly ILogger _logger;
    private readonly BrokerLeases _leases;
    private readonly HeartbeatConnections _heartbeatConnections;
    private readonly List<PendingWrite> _pending = [];
    private MetadataImage _committed = MetadataImage.Empty;
    private MetadataImage _latest = MetadataImage.Empty;
    private MetadataImage _published = MetadataImage.Empty;
    private OffsetAndEpoch? _lastCommittedBatch;
    private OffsetAndEpoch? _lastSnapshot;
    private long _bytesSinceSnapshot;
    private bool _active;

    public QuorumController(int nodeId, ControllerOptions options, IControllerLog log, Func<long> clock, ILogger logger)
    {
        _nodeId = nodeId;
        _options = options;
        _log = log;
        _clock = clock;
        _logger = logger;
        _leases = new BrokerLeases(options.BrokerSessionTimeoutMs);
        _heartbeatConnections = new HeartbeatConnections(options.BrokerConnectionCloseGraceMs);
    }

    /// <summary>The committed image, safe to read from any thread.</summary>
    public MetadataImage Image => Volatile.Read(ref _published);

    /// <summary>The leader as this replica last heard (-1 when unknown); any thread.</summary>
    public int LeaderId { get; private set; } = -1;

    public int Epoch { get; private set; }

    /// <summary>This replica is the active controller (loop thread).</summary>
    public bool IsActive => _active;

    /// <summary>The image the active controller decides on: committed plus its own uncommitted records (loop thread).</summary>
    public MetadataImage LatestImage => _latest;

    public OffsetAndEpoch? LastSnapshot => _lastSnapshot;

    /// <summary>
    /// Decides a change on the latest image and commits its records; the task completes with the
    /// decision's result once they are committed and applied, or fails with <see cref="NotControllerException"/>.
    /// </summary>
    public Task<T> Write<T>(Func<MetadataImage, MetadataDecision<T>> decide)
    {
        if (!_active)
        {
            return Task.FromException<T>(new NotControllerException());
        }
        var decision = decide(_latest);
        return Commit(decision.Records, decision.Result);
    }

    private Task<T> Commit<T>(IReadOnlyList<IKafkaMessage> records, T result)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (records.Count == 0)
        {
            // Nothing to write, but the answer may rest on records still in flight: it waits for them.
            if (_pending.Count == 0)
            {
                return Task.FromResult(result);
            }
            _pending.Add(new PendingWrite(_pending[^1].LastOffset, () => answer.TrySetResult(result), e => answer.TrySetException(e)));
            return answer.Task;
        }
        var values = new List<ReadOnlyMemory<byte>>(records.Count);
        foreach (var record in records)
        {
            values.Add(MetadataRecordSerde.Serialize(record));
        }
        if (_log.TryAppend(values, _clock()) is not { } baseOffset)
        {
            return Task.FromException<T>(new NotControllerException());
        }
        var offset = baseOffset;
        foreach (var record in records)
        {
            _latest = MetadataImageBuilder.Apply(_latest, record, offset++);
        }
        _pending.Add(new PendingWrite(offset - 1, () => answer.TrySetResult(result), e => answer.TrySetException(e)));
        return answer.Task;
    }

    public void OnCommit(RaftBatch batch)
    {
        if (!batch.IsControl)
        {
            var offset = batch.BaseOffset;
            foreach (var value in batch.Values())
            {
                _committed = MetadataImageBuilder.Apply(_committed, MetadataRecordSerde.Deserialize(value), offset++);
            }
            _bytesSinceSnapshot += batch.Bytes.Length;
        }
        _lastCommittedBatch = new OffsetAndEpoch(batch.EndOffset, batch.Epoch);
        if (!_active)
        {
            _latest = _committed;
        }
        Volatile.Write(ref _published, _committed);
        var done = 0;
        while (done < _pending.Count && _pending[done].LastOffset <= batch.LastOffset)
        {
            _pending[done++].Complete();
        }
        _pending.RemoveRange(0, done);
    }

    public void OnLoadSnapshot(OffsetAndEpoch id, ReadOnlyMemory<byte> content)
    {
        _committed = MetadataSnapshot.Read(content, id.Offset - 1);
        _latest = _committed;
        _lastCommittedBatch = id;
        _lastSnapshot = id;
        _bytesSinceSnapshot = 0;
        Volatile.Write(ref _published, _committed);
        Log.SnapshotLoaded(_logger, _nodeId, id.ToString(), _committed.TopicsByName.Count, _committed.Brokers.Count);
    }

    public void OnLeaderChange(int leaderId, int epoch)
    {
        var wasActive = _active;
        LeaderId = leaderId;
        Epoch = epoch;
        _active = leaderId == _nodeId;
        if (wasActive)
        {
            var failure = new NotControllerException($"The active controller changed (now {leaderId} in epoch {epoch}) before the change committed.");
            foreach (var pending in _pending)
            {
                pending.Fail(failure);
            }
            _pending.Clear();
        }
        _latest = _committed;
        // Connections seen by a former term may have closed unseen meanwhile; only heartbeats from now on count.
        _heartbeatConnections.Clear();
        if (_active)
        {
            // Leases are not in the log: every broker starts with a full session under a new active controller.
            _leases.Reset(_committed.Brokers.Keys, _clock());
            _nextLeaderCheck = _clock() + LeaderCheckIntervalMs;
            Log.Activated(_logger, _nodeId, epoch, _committed.Offset);
        }
    }

    /// <summary>Runs the controller's timers: fences brokers whose lease expired and takes snapshots. Returns when it next needs to run.</summary>
    public long Tick(long now)
    {
        MaybeSnapshot();
        if (!_active)
        {
            return long.MaxValue;
        }
        var live = _latest.Brokers.Values.Where(b => !b.Fenced).Select(b => b.Id).ToList();
        foreach (var expired in _leases.Expired(live, now))
        {
            Log.LeaseExpired(_logger, expired, _options.BrokerSessionTimeoutMs);
            _ = FenceAsync(expired);
        }
        foreach (var (brokerId, brokerEpoch) in _heartbeatConnections.TakeDue(now))
        {
            if (_latest.Brokers.TryGetValue(brokerId, out var broker) && IsDeadOnClosedConnection(broker, brokerEpoch))
            {
                Log.HeartbeatConnectionClosed(_logger, brokerId, _heartbeatConnections.GraceMs);
                _ = FenceAsync(brokerId, b => IsDeadOnClosedConnection(b, brokerEpoch));
            }
        }
        MaybeCheckLeaders(now);
        var next = _leases.NextExpiry(_latest.Brokers.Values.Where(b => !b.Fenced).Select(b => b.Id));
        var nextClose = _heartbeatConnections.NextDeadline();
        return Math.Min(Math.Min(next == long.MaxValue ? long.MaxValue : next + 1, nextClose), _nextLeaderCheck);
    }

    /// <summary>
    /// The registration that heartbeated on a closed connection is still current and serving. A broker in
    /// controlled shutdown closes its connections on purpose once it stops; its lease covers the rest.
    /// </summary>
    private static bool IsDeadOnClosedConnection(Metadata.BrokerImage broker, long brokerEpoch) =>
        !broker.Fenced && !broker.InControlledShutdown && broker.Epoch == brokerEpoch;

    private Task FenceAsync(int brokerId) => FenceAsync(brokerId, broker => !broker.Fenced);

    private async Task FenceAsync(int brokerId, Func<Metadata.BrokerImage, bool> stillDue)
    {
        try
        {
            if (await Write(image => image.Brokers.TryGetValue(brokerId, out var broker) && stillDue(broker)
                ? new MetadataDecision<bool>(FenceRecords(image, broker), true)
                : new MetadataDecision<bool>([], false)).ConfigureAwait(false))
            {
                Log.Fenced(_logger, brokerId);
            }
        }
        catch (NotControllerException)
        {
            // The next active controller grants a fresh lease and fences on its own schedule.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Controller {NodeId} is active in epoch {Epoch} at metadata offset {Offset}")]
        public static partial void Activated(ILogger logger, int nodeId, int epoch, long offset);

        [LoggerMessage(9, LogLevel.Information, "Broker {BrokerId} is fenced: the metadata log committed it, with its partitions' new leaders")]
        public static partial void Fenced(ILogger logger, int brokerId);

        [LoggerMessage(2, LogLevel.Information, "Broker {BrokerId} missed its heartbeats for {SessionTimeoutMs} ms: fencing it")]
        public static partial void LeaseExpired(ILogger logger, int brokerId, int sessionTimeoutMs);

        [LoggerMessage(3, LogLevel.Information, "Controller {NodeId} loaded snapshot {Snapshot}: {Topics} topics, {Brokers} brokers")]
        public static partial void SnapshotLoaded(ILogger logger, int nodeId, string snapshot, int topics, int brokers);

        [LoggerMessage(4, LogLevel.Information, "Controller {NodeId} wrote snapshot {Snapshot} ({Bytes} bytes)")]
        public static partial void SnapshotWritten(ILogger logger, int nodeId, string snapshot, int bytes);

        [LoggerMessage(5, LogLevel.Warning, "Controller {NodeId} could not write snapshot {Snapshot}: {Reason}")]
        public static partial void SnapshotFailed(ILogger logger, int nodeId, string snapshot, string reason);

        [LoggerMessage(6, LogLevel.Information, "Broker {BrokerId} registered with epoch {BrokerEpoch} (incarnation {IncarnationId})")]
        public static partial void BrokerRegistered(ILogger logger, int brokerId, long brokerEpoch, Guid incarnationId);

        [LoggerMessage(8, LogLevel.Information, "The heartbeat connection of broker {BrokerId} closed and no heartbeat followed within {GraceMs} ms: fencing it")]
        public static partial void HeartbeatConnectionClosed(ILogger logger, int brokerId, int graceMs);

        [LoggerMessage(7, LogLevel.Information, "Leadership check elected {Count} partition leaders")]
        public static partial void LeadersRebalanced(ILogger logger, int count);
    }
}
