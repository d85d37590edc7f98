using System.Collections.Concurrent;
using Kora.Broker.Configs;
using Kora.Broker.Metadata;
using Kora.Broker.Telemetry;
using Kora.Metadata;
using Kora.Protocol.Primitives;
using Kora.Storage.Log;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Partitions;

/// <summary>
/// Keeps the hosted partitions in step with the metadata image: opens (and recovers) logs for new
/// partitions, applies config changes, and deletes the logs of removed topics. In cluster mode a broker
/// hosts only the partitions whose replica set names it, and serves clients only for those it leads.
/// </summary>
public sealed partial class PartitionManager : IMetadataListener, IDisposable
{
    private readonly ConcurrentDictionary<string, Partition[]> _byTopic = new(StringComparer.Ordinal);
    private readonly BrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PartitionManager> _logger;
    private readonly string _dataDir;
    private readonly BrokerMetrics _metrics;
    private readonly bool _clusterMode;
    private readonly List<ILeadershipListener> _leadershipListeners = [];
    private IFollowerListener? _followers;
    private MetadataImage _image = MetadataImage.Empty;

    public PartitionManager(IOptions<BrokerOptions> options, TimeProvider time, BrokerMetrics metrics, ILogger<PartitionManager> logger)
    {
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _dataDir = Path.GetFullPath(_options.DataDir);
        _clusterMode = _options.IsClusterMode;
        Directory.CreateDirectory(_dataDir);
    }

    public string DataDir => _dataDir;

    /// <summary>The metadata image the hosted partitions were last brought in step with.</summary>
    public MetadataImage Image => Volatile.Read(ref _image);

    public int PartitionCount => All.Count();

    public long SegmentCount => All.Sum(p => (long)p.Log.SegmentCount);

    public IEnumerable<Partition> All => _byTopic.Values.SelectMany(p => p).Where(p => p is not null);

    /// <summary>A partition hosted here, led here or not (null entries are partitions hosted elsewhere).</summary>
    public Partition? Get(string topic, int partition) =>
        _byTopic.TryGetValue(topic, out var partitions) && partition >= 0 && partition < partitions.Length ? partitions[partition] : null;

    /// <summary>
    /// The partition if this broker leads it, for client reads and writes; otherwise null with Kafka's
    /// error: NOT_LEADER_OR_FOLLOWER for a partition that exists but is led elsewhere (or by nobody).
    /// </summary>
    public Partition? GetLed(string topic, int partition, out ErrorCode error)
    {
        var hosted = Get(topic, partition);
        if (hosted is { IsLeader: true })
        {
            error = ErrorCode.None;
            return hosted;
        }
        var known = Volatile.Read(ref _image).Topic(topic) is { } image && partition >= 0 && partition < image.Partitions.Length;
        error = known ? ErrorCode.NotLeaderOrFollower : ErrorCode.UnknownTopicOrPartition;
        return null;
    }

    /// <summary>Told when this broker gains or loses the leadership of a hosted partition (Kafka's onElection/onResignation).</summary>
    public void Subscribe(ILeadershipListener listener)
    {
        lock (_leadershipListeners)
        {
            _leadershipListeners.Add(listener);
        }
    }

    /// <summary>The replica fetchers: told which partitions to fetch from which leader.</summary>
    public void SetFollowerListener(IFollowerListener listener)
    {
        _followers = listener;
        foreach (var partition in All)
        {
            if (!partition.IsLeader && partition.LeaderId >= 0 && partition.LeaderId != _options.NodeId)
            {
                listener.OnFollow(partition, partition.LeaderId, partition.LeaderEpoch);
            }
        }
    }

    public void OnImageChanged(MetadataImage previous, MetadataImage current)
    {
        Volatile.Write(ref _image, current);
        foreach (var topic in previous.TopicsByName.Values)
        {
            if (current.Topic(topic.Id) is null)
            {
                DeleteTopic(topic.Name);
            }
        }
        foreach (var topic in current.TopicsByName.Values)
        {
            var before = previous.Topic(topic.Id);
            if (before is not null && ReferenceEquals(before, topic))
            {
                continue;
            }
            SyncTopic(topic, before);
        }
    }

    private void SyncTopic(TopicImage topic, TopicImage? before)
    {
        var config = TopicLogConfig.From(topic.Configs, _options);
        var existing = _byTopic.GetValueOrDefault(topic.Name) ?? [];
        var configChanged = before is not null && !ReferenceEquals(before.Configs, topic.Configs);
        var partitions = existing.Length == topic.Partitions.Length ? existing : new Partition[topic.Partitions.Length];
        Array.Copy(existing, partitions, Math.Min(existing.Length, partitions.Length));
        var opened = 0;
        var changes = new List<(Partition Partition, bool Led)>();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = 0; i < partitions.Length; i++)
        {
            var image = topic.Partitions[i];
            var isNew = false;
            if (partitions[i] is null && Hosts(image))
            {
                var directory = Path.Combine(_dataDir, $"{topic.Name}-{i}");
                var log = PartitionLog.Open(directory, config, _time, _logger, RestoredHighWatermark(topic.Name, i));
                log.FlushObserver = _metrics.Flushed;
                partitions[i] = new Partition(topic.Name, topic.Id, i, log, config, _options.NodeId);
                opened++;
                isNew = true;
            }
            else if (partitions[i] is { } open && configChanged)
            {
                open.UpdateConfig(config);
            }
            if (partitions[i] is { } removed && !Hosts(image))
            {
                // Kafka's StopReplica with deletion: a reassignment took this broker out of the replica set.
                partitions[i] = null!;
                RemoveReplica(removed, changes);
                continue;
            }
            if (partitions[i] is not { } partition)
            {
                continue;
            }
            if (!_clusterMode)
            {
                if (isNew)
                {
                    // A single node is the whole replica set and ISR.
                    int[] self = [_options.NodeId];
                    partition.MakeLeader(image with { Replicas = self, Isr = self, Leader = _options.NodeId }, now);
                }
                continue;
            }
            var previous = isNew ? null : partition;
            var leads = image.Leader == _options.NodeId;
            var epochChanged = isNew || partition.LeaderEpoch != image.LeaderEpoch;
            if (leads && (epochChanged || !partition.IsLeader))
            {
                var wasLeader = !isNew && partition.IsLeader;
                _followers?.OnStopFollowing(partition);
                partition.MakeLeader(image, now);
                Log.BecameLeader(_logger, partition.Topic, partition.Index, image.LeaderEpoch, string.Join(',', image.Isr));
                if (!wasLeader)
                {
                    changes.Add((partition, true));
                }
            }
            else if (leads)
            {
                partition.ApplyLeaderImage(image, now);
            }
            else if (epochChanged || partition.IsLeader || partition.LeaderId != image.Leader)
            {
                var wasLeader = previous is { IsLeader: true };
                partition.MakeFollower(image);
                Log.BecameFollower(_logger, partition.Topic, partition.Index, image.Leader, image.LeaderEpoch);
                if (wasLeader)
                {
                    changes.Add((partition, false));
                }
                if (image.Leader >= 0)
                {
                    _followers?.OnFollow(partition, image.Leader, image.LeaderEpoch);
                }
                else
                {
                    _followers?.OnStopFollowing(partition);
                }
            }
        }
        _byTopic[topic.Name] = partitions;
        if (opened > 0)
        {
            Log.PartitionsOpened(_logger, topic.Name, opened);
        }
        foreach (var (partition, led) in changes)
        {
            NotifyLeadership(partition, led);
        }
    }

    private void RemoveReplica(Partition partition, List<(Partition Partition, bool Led)> changes)
    {
        _followers?.OnStopFollowing(partition);
        if (partition.IsLeader)
        {
            changes.Add((partition, false));
        }
        partition.Wake();
        partition.Log.Delete();
        Log.ReplicaRemoved(_logger, partition.Topic, partition.Index);
    }

    private bool Hosts(PartitionImage partition) => !_clusterMode || partition.Replicas.Contains(_options.NodeId);

    private void NotifyLeadership(Partition partition, bool led)
    {
        if (!led)
        {
            // Long-polling fetches return now and find the partition led elsewhere.
            partition.Wake();
        }
        ILeadershipListener[] listeners;
        lock (_leadershipListeners)
        {
            listeners = [.. _leadershipListeners];
        }
        foreach (var listener in listeners)
        {
            if (led)
            {
                listener.OnBecameLeader(partition);
            }
            else
            {
                listener.OnResigned(partition);
            }
        }
    }

    private void DeleteTopic(string name)
    {
        if (!_byTopic.TryRemove(name, out var partitions))
        {
            return;
        }
        foreach (var partition in partitions.Where(p => p is not null))
        {
            _followers?.OnStopFollowing(partition);
            partition.Wake();
            partition.Log.Delete();
        }
        Log.TopicDeleted(_logger, name);
    }

    /// <summary>
    /// Deletes partition folders that no topic in the image owns (a topic deleted while the broker was
    /// down) or, in cluster mode, whose replica set no longer names this broker.
    /// </summary>
    public void RemoveOrphans(MetadataImage image)
    {
        foreach (var directory in Directory.EnumerateDirectories(_dataDir))
        {
            var name = Path.GetFileName(directory);
            var dash = name.LastIndexOf('-');
            if (name == MetadataStore.LogDirectoryName || dash <= 0 || !int.TryParse(name[(dash + 1)..], out var index))
            {
                continue;
            }
            var topic = image.Topic(name[..dash]);
            if (topic is null || index >= topic.Partitions.Length || !Hosts(topic.Partitions[index]))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Deletes segments past retention.ms or retention.bytes.</summary>
    public void ApplyRetention()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var partition in All)
        {
            partition.Log.ApplyRetention(now);
        }
    }

    /// <summary>Forgets producer ids idle longer than producer.id.expiration.ms.</summary>
    public void RemoveExpiredProducers()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var partition in All)
        {
            partition.Log.RemoveExpiredProducers(now);
        }
    }

    /// <summary>Starts the fsyncs that flush.ms asks for.</summary>
    public void FlushDue()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var partition in All)
        {
            partition.Log.MaybeFlush(now);
        }
    }

    /// <summary>Closes log and index descriptors idle for a while, so idle partitions hold none.</summary>
    public void ReleaseIdleHandles()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var partition in All)
        {
            partition.Log.ReleaseIdleHandles(now);
        }
    }

    public void Dispose()
    {
        // A clean shutdown leaves the latest high watermarks for the next start.
        CheckpointHighWatermarks();
        // Each close waits for an fsync (the producer snapshot): with thousands of partitions, a few at a time.
        Parallel.ForEach(All.ToArray(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, partition => partition.Log.Close());
        _byTopic.Clear();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Opened {Count} partitions of topic {Topic}")]
        public static partial void PartitionsOpened(ILogger logger, string topic, int count);

        [LoggerMessage(4, LogLevel.Debug, "{Topic}-{Partition}: leader in epoch {LeaderEpoch}, ISR [{Isr}]")]
        public static partial void BecameLeader(ILogger logger, string topic, int partition, int leaderEpoch, string isr);

        [LoggerMessage(5, LogLevel.Debug, "{Topic}-{Partition}: follower of {Leader} in epoch {LeaderEpoch}")]
        public static partial void BecameFollower(ILogger logger, string topic, int partition, int leader, int leaderEpoch);

        [LoggerMessage(2, LogLevel.Information, "Deleted topic {Topic}")]
        public static partial void TopicDeleted(ILogger logger, string topic);

        [LoggerMessage(3, LogLevel.Information, "Removed replica {Topic}-{Partition}: this broker is no longer in its replica set")]
        public static partial void ReplicaRemoved(ILogger logger, string topic, int partition);
    }
}
