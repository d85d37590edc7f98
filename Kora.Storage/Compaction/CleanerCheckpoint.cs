using System.Globalization;
using System.Text;
using Kora.Storage.Log;

namespace Kora.Storage.Compaction;

/// <summary>
/// Kafka's cleaner-offset-checkpoint in the data directory: for each compacted partition the offset below which its
/// log is clean. Format: a version line (0), a count line, then "topic partition offset" lines.
/// </summary>
internal static class CleanerCheckpoint
{
    private const string Version = "0";

    public static Dictionary<(string Topic, int Partition), long> Read(string dataDirectory)
    {
        var result = new Dictionary<(string, int), long>();
        var text = LogFiles.TryReadText(Path.Combine(dataDirectory, LogFiles.CleanerCheckpointFile));
        var lines = text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines is null || lines.Length < 2 || lines[0] != Version)
        {
            return result;
        }
        foreach (var line in lines.AsSpan(2))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                result[(parts[0], partition)] = offset;
            }
        }
        return result;
    }

    public static void Write(string dataDirectory, IReadOnlyDictionary<(string Topic, int Partition), long> offsets)
    {
        var text = new StringBuilder();
        text.Append(Version).Append('\n').Append(offsets.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var ((topic, partition), offset) in offsets.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition))
        {
            text.Append(CultureInfo.InvariantCulture, $"{topic} {partition} {offset}\n");
        }
        LogFiles.WriteAtomically(Path.Combine(dataDirectory, LogFiles.CleanerCheckpointFile), text.ToString(), durable: true);
    }
}
