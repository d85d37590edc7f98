using System.Globalization;
using System.Text;
using Kora.Storage.Log;

namespace Kora.Storage.Checkpoints;

/// <summary>
/// Kafka's <c>replication-offset-checkpoint</c>: the high watermark of every partition a broker hosts, in one
/// file in its data directory: a version line (0), a count line, then one "topic partition offset" line per
/// partition. Written atomically (temp file, fsync, rename) so a crash leaves the old file or the new one.
/// A restarted replica must not trust its log end as high watermark: the tail past the checkpoint may never
/// have reached the other replicas.
/// </summary>
public static class HighWatermarkCheckpoint
{
    public const string FileName = "replication-offset-checkpoint";
    private const string Version = "0";

    /// <summary>
    /// The checkpointed high watermarks in <paramref name="dataDir"/>; empty when there is no file. A file that
    /// does not parse is treated as absent (every high watermark then restarts from the log start, which only
    /// delays what consumers see until the leader tells again) and reported through <paramref name="corrupt"/>.
    /// </summary>
    public static Dictionary<(string Topic, int Partition), long> Read(string dataDir, out bool corrupt)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDir);
        corrupt = false;
        var result = new Dictionary<(string, int), long>();
        var text = LogFiles.TryReadText(Path.Combine(dataDir, FileName));
        if (text is null)
        {
            return result;
        }
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2 || lines[0] != Version || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count != lines.Length - 2)
        {
            corrupt = true;
            return [];
        }
        for (var i = 2; i < lines.Length; i++)
        {
            var fields = lines[i].Split(' ');
            if (fields.Length != 3 || fields[0].Length == 0
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                corrupt = true;
                return [];
            }
            result[(fields[0], partition)] = offset;
        }
        return result;
    }

    /// <summary>Replaces the checkpoint in <paramref name="dataDir"/> with <paramref name="highWatermarks"/>, durably.</summary>
    public static void Write(string dataDir, IReadOnlyCollection<(string Topic, int Partition, long HighWatermark)> highWatermarks)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDir);
        ArgumentNullException.ThrowIfNull(highWatermarks);
        var text = new StringBuilder(32 + (highWatermarks.Count * 32));
        text.Append(Version).Append('\n').Append(highWatermarks.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (topic, partition, offset) in highWatermarks)
        {
            text.Append(topic).Append(' ')
                .Append(partition.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(offset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        LogFiles.WriteAtomically(Path.Combine(dataDir, FileName), text.ToString(), durable: true);
    }
}
