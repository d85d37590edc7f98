using System.Globalization;
using System.Text;
using Kora.Storage.Log;

namespace Kora.Storage.Epochs;

/// <summary>
/// Kafka's <c>leader-epoch-checkpoint</c> file: a version line (0), a count line, then "epoch startOffset"
/// per line. Written to a temporary file and renamed, so a crash leaves the old or the new content.
/// </summary>
public static class LeaderEpochCheckpoint
{
    public const string FileName = "leader-epoch-checkpoint";
    private const string Version = "0";

    /// <summary>The entries on disk, or an empty list when the file is missing or unreadable.</summary>
    public static List<EpochEntry> Read(string directory)
    {
        var entries = new List<EpochEntry>();
        var text = LogFiles.TryReadText(Path.Combine(directory, FileName));
        if (text is null)
        {
            return entries;
        }
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2 || lines[0] != Version || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count != lines.Length - 2)
        {
            return entries;
        }
        for (var i = 2; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return [];
            }
            entries.Add(new EpochEntry(epoch, offset));
        }
        return entries;
    }

    public static void Write(string directory, IReadOnlyList<EpochEntry> entries, bool durable)
    {
        var text = new StringBuilder();
        text.Append(Version).Append('\n').Append(entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var entry in entries)
        {
            text.Append(entry.Epoch.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(entry.StartOffset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        LogFiles.WriteAtomically(Path.Combine(directory, FileName), text.ToString(), durable);
    }
}
