using Kora.Broker.Cluster;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Broker.Telemetry;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Replication;

/// <summary>
/// Kafka's ReplicaFetcherManager: one <see cref="ReplicaFetcher"/> per source broker, fetching every partition
/// this broker follows from that leader in one request; a partition moves between fetchers when its leader
/// changes; a fetcher with nothing to fetch idles until it gets a partition again.
/// </summary>
public sealed class ReplicaFetcherManager : IFollowerListener, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, ReplicaFetcher> _fetchers = [];
    private readonly Dictionary<Partition, int> _sources = [];
    private readonly MetadataStore _metadata;
    private readonly BrokerLifecycle _lifecycle;
    private readonly BrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly BrokerMetrics? _metrics;
    private readonly Throttling.ReplicationQuota? _quota;

    public ReplicaFetcherManager(
        PartitionManager partitions, MetadataStore metadata, BrokerLifecycle lifecycle, IOptions<BrokerOptions> options, TimeProvider time, ILoggerFactory loggers,
        BrokerMetrics? metrics = null, Throttling.ReplicationQuotas? quotas = null)
    {
        _metrics = metrics;
        _quota = quotas?.Follower;
        _metadata = metadata;
        _lifecycle = lifecycle;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
        partitions.SetFollowerListener(this);
    }

    public void OnFollow(Partition partition, int leaderId, int leaderEpoch)
    {
        lock (_lock)
        {
            if (_sources.TryGetValue(partition, out var previous) && previous != leaderId)
            {
                _fetchers[previous].Remove(partition);
            }
            _sources[partition] = leaderId;
            if (!_fetchers.TryGetValue(leaderId, out var fetcher))
            {
                fetcher = new ReplicaFetcher(leaderId, _metadata, _lifecycle, _options, _time, _loggers.CreateLogger<ReplicaFetcher>(), _metrics, _quota);
                _fetchers[leaderId] = fetcher;
            }
            fetcher.Add(partition, leaderEpoch);
        }
    }

    public void OnStopFollowing(Partition partition)
    {
        lock (_lock)
        {
            if (_sources.Remove(partition, out var source))
            {
                _fetchers[source].Remove(partition);
            }
        }
    }

    /// <summary>The broker a partition is fetched from, or -1; for tests.</summary>
    public int SourceOf(Partition partition)
    {
        lock (_lock)
        {
            return _sources.GetValueOrDefault(partition, -1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReplicaFetcher[] fetchers;
        lock (_lock)
        {
            fetchers = [.. _fetchers.Values];
            _fetchers.Clear();
            _sources.Clear();
        }
        foreach (var fetcher in fetchers)
        {
            await fetcher.DisposeAsync().ConfigureAwait(false);
        }
    }
}
