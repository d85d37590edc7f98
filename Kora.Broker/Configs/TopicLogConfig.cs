using System.Globalization;
using Kora.Metadata.Configs;
using Kora.Protocol.Records;
using Kora.Storage.Log;

namespace Kora.Broker.Configs;

/// <summary>The storage settings of a topic's partition logs: its config overrides over the broker's defaults.</summary>
public static class TopicLogConfig
{
    public static LogConfig From(IReadOnlyDictionary<string, string> overrides, BrokerOptions broker)
    {
        long Long(string name) => long.Parse(TopicConfigs.Effective(overrides, name, broker), CultureInfo.InvariantCulture);
        var policy = TopicConfigs.Effective(overrides, TopicConfigs.CleanupPolicy, broker)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new LogConfig
        {
            Delete = policy.Contains("delete", StringComparer.OrdinalIgnoreCase),
            Compact = policy.Contains("compact", StringComparer.OrdinalIgnoreCase),
            DeleteRetentionMs = Long(TopicConfigs.DeleteRetentionMs),
            MinCleanableDirtyRatio = double.Parse(TopicConfigs.Effective(overrides, TopicConfigs.MinCleanableDirtyRatio, broker), NumberStyles.Float, CultureInfo.InvariantCulture),
            MinCompactionLagMs = Long(TopicConfigs.MinCompactionLagMs),
            MaxCompactionLagMs = Long(TopicConfigs.MaxCompactionLagMs),
            SegmentIndexBytes = (int)Long(TopicConfigs.SegmentIndexBytes),
            SegmentBytes = Long(TopicConfigs.SegmentBytes),
            SegmentMs = Long(TopicConfigs.SegmentMs),
            RetentionMs = Long(TopicConfigs.RetentionMs),
            RetentionBytes = Long(TopicConfigs.RetentionBytes),
            FlushMessages = Long(TopicConfigs.FlushMessages),
            FlushMs = Long(TopicConfigs.FlushMs),
            IndexIntervalBytes = (int)Long(TopicConfigs.IndexIntervalBytes),
            MaxMessageBytes = (int)Long(TopicConfigs.MaxMessageBytes),
            MessageTimestampType = TopicConfigs.Effective(overrides, TopicConfigs.MessageTimestampType, broker) == "LogAppendTime"
                ? Storage.Log.MessageTimestampType.LogAppendTime
                : Storage.Log.MessageTimestampType.CreateTime,
            ProducerIdExpirationMs = broker.ProducerIdExpirationMs,
            MinInsyncReplicas = (int)Long(TopicConfigs.MinInsyncReplicas),
            CompressionType = TopicConfigs.Effective(overrides, TopicConfigs.CompressionType, broker).ToLowerInvariant() switch
            {
                "uncompressed" => CompressionCodec.None,
                "gzip" => CompressionCodec.Gzip,
                "snappy" => CompressionCodec.Snappy,
                "lz4" => CompressionCodec.Lz4,
                "zstd" => CompressionCodec.Zstd,
                _ => null,
            },
        };
    }
}
