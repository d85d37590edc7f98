using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kora.Broker.Cluster;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Broker.Replication.Sessions;
using Kora.Broker.Replication.Throttling;
using Kora.Broker.Telemetry;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Storage.Epochs;
using Kora.Storage.Log;

namespace Kora.Broker.Replication;

/// <summary>
/// Kafka's ReplicaFetcherThread for one source broker: a loop sending one Fetch (v16, ReplicaState with this
/// broker's id and epoch per KIP-903, topics by id) for every partition followed from that leader, appending
/// the returned batches as they are, taking the leader's high watermark (capped at the local log end) and log
/// start, and truncating a diverged tail when the leader answers with a diverging epoch (KIP-320). A partition
/// whose fetch fails waits replica.fetch.backoff.ms; a broken connection makes the whole fetcher wait.
/// Requests go through a <see cref="ReplicaFetchSession"/> (KIP-227), so once the leader has opened a session
/// only partitions whose fetch position changed are sent, and only partitions with news come back.
/// </summary>
internal sealed partial class ReplicaFetcher : IAsyncDisposable
{
    private const short FetchVersion = 16;
    private readonly Lock _lock = new();
    private readonly Dictionary<Partition, FetchState> _partitions = [];
    private readonly int _sourceId;
    private readonly MetadataStore _metadata;
    private readonly BrokerLifecycle _lifecycle;
    private readonly BrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BrokerMetrics? _metrics;
    private readonly ReplicationQuota? _quota;

    // Used by the fetch loop only.
    private readonly ReplicaFetchSession _session = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PeerConnection? _connection;

    public ReplicaFetcher(
        int sourceId, MetadataStore metadata, BrokerLifecycle lifecycle, BrokerOptions options, TimeProvider time, ILogger logger,
        BrokerMetrics? metrics = null, ReplicationQuota? quota = null)
    {
        _metrics = metrics;
        _quota = quota;
        _sourceId = sourceId;
        _metadata = metadata;
        _lifecycle = lifecycle;
        _options = options;
        _time = time;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Add(Partition partition, int leaderEpoch)
    {
        lock (_lock)
        {
            _partitions[partition] = new FetchState(partition, leaderEpoch);
        }
        Signal();
    }

    public void Remove(Partition partition)
    {
        lock (_lock)
        {
            _partitions.Remove(partition);
        }
    }

    private void Signal() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var changed = Volatile.Read(ref _changed).Task;
                var ready = Ready(out var nextReadyMs);
                if (ready.Count == 0)
                {
                    var wait = nextReadyMs == long.MaxValue ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(Math.Max(1, nextReadyMs - NowMs));
                    await Task.WhenAny(changed, Task.Delay(wait, _time, token)).ConfigureAwait(false);
                    continue;
                }
                await FetchOnceAsync(ready, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or TimeoutException)
            {
                Log.FetchFailed(_logger, _sourceId, e.Message);
                _session.HandleError();
                await DropConnectionAsync().ConfigureAwait(false);
                await Backoff(token).ConfigureAwait(false);
            }
        }
    }

    private async Task Backoff(CancellationToken token)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(_options.ReplicaFetchBackoffMs), _time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private List<FetchState> Ready(out long nextReadyMs)
    {
        var now = NowMs;
        nextReadyMs = long.MaxValue;
        var ready = new List<FetchState>();
        lock (_lock)
        {
            foreach (var state in _partitions.Values)
            {
                if (state.DelayedUntilMs <= now && ThrottledAt(state, now))
                {
                    // Kafka's shouldFollowerThrottle: left out of the request while over quota, looked at again after a backoff.
                    nextReadyMs = Math.Min(nextReadyMs, now + _options.ReplicaFetchBackoffMs);
                }
                else if (state.DelayedUntilMs <= now)
                {
                    ready.Add(state);
                }
                else
                {
                    nextReadyMs = Math.Min(nextReadyMs, state.DelayedUntilMs);
                }
            }
        }
        return ready;
    }

    private bool ThrottledAt(FetchState state, long nowMs) =>
        _quota is not null && _quota.ShouldThrottle(state.Partition.Topic, state.Partition.Index, state.CaughtUp, nowMs);

    private async Task FetchOnceAsync(List<FetchState> ready, CancellationToken token)
    {
        if (!_metadata.Image.Brokers.TryGetValue(_sourceId, out var broker))
        {
            await Backoff(token).ConfigureAwait(false);
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_options.ReplicaFetchWaitMaxMs + 30_000);
        _connection ??= await PeerConnection.ConnectAsync(_sourceId, new DnsEndPoint(broker.Host, broker.Port),
            "kora-replica-fetcher-" + _options.NodeId.ToString(CultureInfo.InvariantCulture), timeout.Token).ConfigureAwait(false);
        var request = NewRequest();
        var full = _session.Fill(request, Wanted(ready));
        _metrics?.ReplicaFetchSent(full);
        var response = await _connection.SendAsync<FetchResponse>(FetchRequest.ApiKey, FetchVersion, flexible: true, request, timeout.Token).ConfigureAwait(false);
        if (!_session.HandleResponse(response))
        {
            var error = (ErrorCode)response.ErrorCode;
            if (error is ErrorCode.FetchSessionIdNotFound or ErrorCode.InvalidFetchSessionEpoch or ErrorCode.None)
            {
                // The leader lost or rejected our session (or answered outside it): the next request is full, at once.
                Log.SessionReset(_logger, _sourceId, _session.SessionId, error);
                return;
            }
            Log.FetchRefused(_logger, _sourceId, error);
            Delay(ready);
            return;
        }
        var byKey = new Dictionary<(Guid, int), FetchState>(ready.Count);
        foreach (var state in ready)
        {
            byKey[(state.Partition.TopicId, state.Partition.Index)] = state;
        }
        foreach (var topic in response.Responses)
        {
            foreach (var data in topic.Partitions)
            {
                if (byKey.TryGetValue((topic.TopicId, data.PartitionIndex), out var state) && IsCurrent(state))
                {
                    Process(state, data);
                }
            }
        }
    }

    private FetchRequest NewRequest() => new()
    {
        ReplicaId = _options.NodeId,
        ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = _options.NodeId, ReplicaEpoch = _lifecycle.BrokerEpoch },
        MaxWaitMs = _options.ReplicaFetchWaitMaxMs,
        MinBytes = 1,
        MaxBytes = _options.ReplicaFetchResponseMaxBytes,
        IsolationLevel = 0,
    };

    private List<ReplicaFetchPartition> Wanted(List<FetchState> ready)
    {
        var wanted = new List<ReplicaFetchPartition>(ready.Count);
        foreach (var state in ready)
        {
            wanted.Add(Describe(state.Partition, state.LeaderEpoch, _options.ReplicaFetchMaxBytes));
        }
        return wanted;
    }

    /// <summary>What a follower asks of one partition: from its log end, with the epoch of its last batch for the leader's divergence check.</summary>
    public static ReplicaFetchPartition Describe(Partition partition, int leaderEpoch, int maxBytes)
    {
        var log = partition.Log;
        return new ReplicaFetchPartition(partition.TopicId, partition.Topic, partition.Index, leaderEpoch,
            log.LogEndOffset, log.LatestEpoch, log.LogStartOffset, maxBytes);
    }

    private bool IsCurrent(FetchState state)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(state.Partition, out var current) && ReferenceEquals(current, state);
        }
    }

    private void Process(FetchState state, FetchResponse.PartitionData data)
    {
        var partition = state.Partition;
        try
        {
            switch (FollowerFetchApplier.Apply(partition, data, NowMs, _logger, out var appendedBytes))
            {
                case FollowerFetchOutcome.Applied:
                    if (appendedBytes > 0)
                    {
                        _quota?.RecordIfThrottled(partition.Topic, partition.Index, appendedBytes, NowMs);
                    }
                    state.CaughtUp = partition.Log.LogEndOffset >= data.HighWatermark;
                    return;
                case FollowerFetchOutcome.AppendFailed:
                    state.DelayedUntilMs = NowMs + _options.ReplicaFetchBackoffMs;
                    return;
                case FollowerFetchOutcome.Refused:
                    // Not (or no longer) the leader, a fenced or unknown epoch: the next image tells us whom to follow.
                    Log.PartitionRefused(_logger, partition.Topic, partition.Index, _sourceId, (ErrorCode)data.ErrorCode);
                    _session.Resend(partition.TopicId, partition.Index);
                    state.DelayedUntilMs = NowMs + _options.ReplicaFetchBackoffMs;
                    return;
            }
        }
        catch (ObjectDisposedException)
        {
            // The partition was closed or deleted under the fetcher; the manager drops it.
        }
    }

    /// <summary>The offset a follower truncates to, given the leader's diverging epoch and its own end for that epoch.</summary>
    public static long TruncationOffset(EpochEndOffset local, int leaderEpoch, long leaderEndOffset, long logEndOffset, long highWatermark) =>
        FollowerFetchApplier.TruncationOffset(local, leaderEpoch, leaderEndOffset, logEndOffset, highWatermark);

    private void Delay(List<FetchState> states)
    {
        var until = NowMs + _options.ReplicaFetchBackoffMs;
        foreach (var state in states)
        {
            state.DelayedUntilMs = until;
        }
    }

    private async Task DropConnectionAsync()
    {
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Signal();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await DropConnectionAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Fetch from broker {SourceId} failed: {Reason}")]
        public static partial void FetchFailed(ILogger logger, int sourceId, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Broker {SourceId} refused the fetch: {Error}")]
        public static partial void FetchRefused(ILogger logger, int sourceId, ErrorCode error);

        [LoggerMessage(3, LogLevel.Information, "Broker {SourceId} refused fetching {Topic}-{Partition}: {Error}")]
        public static partial void PartitionRefused(ILogger logger, string topic, int partition, int sourceId, ErrorCode error);

        [LoggerMessage(6, LogLevel.Information, "Fetch session {SessionId} with broker {SourceId} reset ({Error}); the next fetch is full")]
        public static partial void SessionReset(ILogger logger, int sourceId, int sessionId, ErrorCode error);
    }
}
