using System.Globalization;

namespace Kora.Storage.Log;

/// <summary>
/// Persists the log start offset raised by DeleteRecords. Retention needs no checkpoint (the first segment's
/// base offset says the same), but DeleteRecords can move the start into the middle of a segment.
/// </summary>
internal static class LogStartOffsetCheckpoint
{
    private const string Version = "0";

    public static long? Read(string directory)
    {
        var text = LogFiles.TryReadText(Path.Combine(directory, LogFiles.LogStartOffsetFile));
        var lines = text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines is not [Version, var value] || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return null;
        }
        return offset;
    }

    public static void Write(string directory, long logStartOffset) =>
        LogFiles.WriteAtomically(
            Path.Combine(directory, LogFiles.LogStartOffsetFile),
            string.Create(CultureInfo.InvariantCulture, $"{Version}\n{logStartOffset}\n"),
            durable: true);
}
