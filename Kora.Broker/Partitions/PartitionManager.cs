using System.Collections.Concurrent;
using Kora.Broker.Configs;
using Kora.Broker.Metadata;
using Kora.Broker.Telemetry;
using Kora.Metadata;
using Kora.Storage.Log;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Partitions;

/// <summary>
/// Keeps the hosted partitions in step with the metadata image: opens (and recovers) logs for new
/// partitions, applies config changes, and deletes the logs of removed topics.
/// </summary>
public sealed partial class PartitionManager : IMetadataListener, IDisposable
{
    private readonly ConcurrentDictionary<string, Partition[]> _byTopic = new(StringComparer.Ordinal);
    private readonly BrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PartitionManager> _logger;
    private readonly string _dataDir;
    private readonly BrokerMetrics _metrics;

    public PartitionManager(IOptions<BrokerOptions> options, TimeProvider time, BrokerMetrics metrics, ILogger<PartitionManager> logger)
    {
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _dataDir = Path.GetFullPath(_options.DataDir);
        Directory.CreateDirectory(_dataDir);
    }

    public string DataDir => _dataDir;

    public int PartitionCount => _byTopic.Values.Sum(p => p.Length);

    public long SegmentCount => _byTopic.Values.SelectMany(p => p).Sum(p => (long)p.Log.SegmentCount);

    public IEnumerable<Partition> All => _byTopic.Values.SelectMany(p => p);

    public Partition? Get(string topic, int partition) =>
        _byTopic.TryGetValue(topic, out var partitions) && partition >= 0 && partition < partitions.Length ? partitions[partition] : null;

    public void OnImageChanged(MetadataImage previous, MetadataImage current)
    {
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
        if (existing.Length == topic.Partitions.Length)
        {
            if (before is not null && !ReferenceEquals(before.Configs, topic.Configs))
            {
                foreach (var partition in existing)
                {
                    partition.UpdateConfig(config);
                }
            }
            return;
        }
        var partitions = new Partition[topic.Partitions.Length];
        Array.Copy(existing, partitions, Math.Min(existing.Length, partitions.Length));
        for (var i = existing.Length; i < partitions.Length; i++)
        {
            var directory = Path.Combine(_dataDir, $"{topic.Name}-{i}");
            var log = PartitionLog.Open(directory, config, _time, _logger);
            log.FlushObserver = _metrics.Flushed;
            partitions[i] = new Partition(topic.Name, topic.Id, i, log, config)
            {
                LeaderEpoch = topic.Partitions[i].LeaderEpoch,
            };
        }
        _byTopic[topic.Name] = partitions;
        Log.PartitionsOpened(_logger, topic.Name, partitions.Length - existing.Length);
    }

    private void DeleteTopic(string name)
    {
        if (!_byTopic.TryRemove(name, out var partitions))
        {
            return;
        }
        foreach (var partition in partitions)
        {
            partition.Wake();
            partition.Log.Delete();
        }
        Log.TopicDeleted(_logger, name);
    }

    /// <summary>Deletes partition folders that no topic in the image owns (a topic deleted while the broker was down).</summary>
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
            if (topic is null || index >= topic.Partitions.Length)
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

    public void Dispose()
    {
        foreach (var partition in All)
        {
            partition.Log.Close();
        }
        _byTopic.Clear();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Opened {Count} partitions of topic {Topic}")]
        public static partial void PartitionsOpened(ILogger logger, string topic, int count);

        [LoggerMessage(2, LogLevel.Information, "Deleted topic {Topic}")]
        public static partial void TopicDeleted(ILogger logger, string topic);
    }
}
