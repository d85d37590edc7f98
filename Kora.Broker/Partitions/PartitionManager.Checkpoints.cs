using Kora.Storage.Checkpoints;

namespace Kora.Broker.Partitions;

/// <summary>
/// The high-watermark checkpoint of a replicated broker (Kafka's replication-offset-checkpoint): read once at
/// start so a reopened partition's high watermark is the checkpointed one, not its log end; written every
/// replica.high.watermark.checkpoint.interval.ms and on clean shutdown, but only once the metadata has caught up,
/// so a file written before the hosted partitions are all open never drops their entries.
/// </summary>
public sealed partial class PartitionManager
{
    // Serialises the periodic writer and the shutdown write; off the produce and fetch paths.
    private readonly Lock _checkpointLock = new();
    private Dictionary<(string Topic, int Partition), long>? _checkpointed;
    private volatile bool _checkpointsEnabled;

    /// <summary>The high watermark a replicated partition reopens with: the checkpointed one, or 0 (then the log start) without one; null on a single node.</summary>
    private long? RestoredHighWatermark(string topic, int partition)
    {
        if (!_clusterMode)
        {
            return null;
        }
        if (_checkpointed is null)
        {
            _checkpointed = HighWatermarkCheckpoint.Read(_dataDir, out var corrupt);
            if (corrupt)
            {
                Log.CheckpointCorrupt(_logger, _dataDir);
            }
        }
        return _checkpointed.TryGetValue((topic, partition), out var highWatermark) ? highWatermark : 0;
    }

    /// <summary>Called once this broker's metadata has caught up: from now on the hosted partitions are all known.</summary>
    public void EnableHighWatermarkCheckpoints() => _checkpointsEnabled = true;

    /// <summary>Writes the high watermark of every hosted partition; nothing before the metadata caught up, or on a single node.</summary>
    public void CheckpointHighWatermarks()
    {
        if (!_clusterMode || !_checkpointsEnabled)
        {
            return;
        }
        lock (_checkpointLock)
        {
            var entries = new List<(string, int, long)>();
            foreach (var partition in All)
            {
                entries.Add((partition.Topic, partition.Index, partition.Log.HighWatermark));
            }
            try
            {
                HighWatermarkCheckpoint.Write(_dataDir, entries);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.CheckpointFailed(_logger, _dataDir, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Warning, "The high-watermark checkpoint in {DataDir} does not parse; partitions reopen with their log start as high watermark")]
        public static partial void CheckpointCorrupt(ILogger logger, string dataDir);

        [LoggerMessage(11, LogLevel.Error, "Writing the high-watermark checkpoint in {DataDir} failed: {Reason}")]
        public static partial void CheckpointFailed(ILogger logger, string dataDir, string reason);
    }
}
