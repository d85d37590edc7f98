using System.Collections.Frozen;
using System.Globalization;
using Kora.Metadata;

namespace Kora.Broker.Replication.Throttling;

/// <summary>
/// Kafka's ReplicationQuotaManager for one side (leader or follower) of this broker: the throttled replicas named
/// by the topics' <paramref name="replicasConfig"/>, the rate limit from the dynamic broker config
/// <paramref name="rateConfig"/> (per broker, else the cluster default, else unlimited), and the bytes of
/// throttled replicas over quota.window.num (11) samples of quota.window.size.seconds (1 s). Both are read from
/// the current metadata image and re-derived only when it changes; checks and records do not allocate.
/// </summary>
public sealed class ReplicationQuota
{
    public const int DefaultSamples = 11;
    public const long DefaultWindowMs = 1000;

    private readonly Func<MetadataImage> _image;
    private readonly int _brokerId;
    private readonly string _replicasConfig;
    private readonly string _rateConfig;
    private readonly Lock _lock = new();
    private readonly SampledRate _rate;
    private State _state = new(null, long.MaxValue, FrozenDictionary<string, ThrottledReplicas>.Empty);

    public ReplicationQuota(Func<MetadataImage> image, int brokerId, string replicasConfig, string rateConfig, int samples = DefaultSamples, long windowMs = DefaultWindowMs)
    {
        _image = image;
        _brokerId = brokerId;
        _replicasConfig = replicasConfig;
        _rateConfig = rateConfig;
        _rate = new SampledRate(samples, windowMs);
    }

    /// <summary>The limit in bytes per second; <see cref="long.MaxValue"/> when unthrottled.</summary>
    public long Bound => Current().Bound;

    /// <summary>Kafka's isThrottled: the replica of this partition on this broker is listed and a rate is set.</summary>
    public bool IsThrottled(string topic, int partition)
    {
        var state = Current();
        return state.Bound != long.MaxValue && state.Topics.TryGetValue(topic, out var replicas) && replicas.Contains(partition);
    }

    /// <summary>Kafka's isQuotaExceeded: the measured rate of throttled bytes is above the limit.</summary>
    public bool IsQuotaExceeded(long nowMs)
    {
        var bound = Current().Bound;
        lock (_lock)
        {
            return _rate.Measure(nowMs) > bound;
        }
    }

    /// <summary>Kafka's shouldLeaderThrottle / shouldFollowerThrottle: an out-of-sync throttled replica while over quota.</summary>
    public bool ShouldThrottle(string topic, int partition, bool inSync, long nowMs) =>
        !inSync && IsThrottled(topic, partition) && IsQuotaExceeded(nowMs);

    /// <summary>Counts bytes moved for a partition against the quota when its replica here is throttled.</summary>
    public void RecordIfThrottled(string topic, int partition, int bytes, long nowMs)
    {
        if (bytes > 0 && IsThrottled(topic, partition))
        {
            Record(bytes, nowMs);
        }
    }

    public void Record(long bytes, long nowMs)
    {
        lock (_lock)
        {
            _rate.Record(bytes, nowMs);
        }
    }

    /// <summary>Bytes per second of throttled traffic measured now; for metrics and tests.</summary>
    public double Rate(long nowMs)
    {
        lock (_lock)
        {
            return _rate.Measure(nowMs);
        }
    }

    private State Current()
    {
        var image = _image();
        var state = Volatile.Read(ref _state);
        if (ReferenceEquals(state.Image, image))
        {
            return state;
        }
        state = Derive(image);
        Volatile.Write(ref _state, state);
        return state;
    }

    private State Derive(MetadataImage image)
    {
        var bound = long.MaxValue;
        if (image.BrokerConfig(_brokerId, _rateConfig) is { Length: > 0 } text
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0)
        {
            bound = parsed;
        }
        var topics = new Dictionary<string, ThrottledReplicas>(StringComparer.Ordinal);
        foreach (var (name, topic) in image.TopicsByName)
        {
            if (topic.Configs.TryGetValue(_replicasConfig, out var value) && ThrottledReplicas.Parse(value, _brokerId) is { } replicas)
            {
                topics[name] = replicas;
            }
        }
        return new State(image, bound, topics.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed record State(MetadataImage? Image, long Bound, FrozenDictionary<string, ThrottledReplicas> Topics);
}
