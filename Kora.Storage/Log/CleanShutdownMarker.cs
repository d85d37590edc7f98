using System.Globalization;

namespace Kora.Storage.Log;

/// <summary>
/// Written by a clean close. It records the active segment's file sizes, so a marker that outlives a crash
/// (its deletion at open is not fsynced) is trusted only while the files still match what was flushed.
/// </summary>
internal sealed record CleanShutdownMarker(long BaseOffset, long LogSize, long OffsetIndexSize, long TimeIndexSize)
{
    private const string Version = "0";

    public static CleanShutdownMarker? TryRead(string directory)
    {
        var text = LogFiles.TryReadText(Path.Combine(directory, LogFiles.CleanShutdownFile));
        var parts = text?.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (parts is not [Version, var a, var b, var c, var d])
        {
            return null;
        }
        return long.TryParse(a, CultureInfo.InvariantCulture, out var baseOffset)
            && long.TryParse(b, CultureInfo.InvariantCulture, out var log)
            && long.TryParse(c, CultureInfo.InvariantCulture, out var index)
            && long.TryParse(d, CultureInfo.InvariantCulture, out var time)
            ? new CleanShutdownMarker(baseOffset, log, index, time)
            : null;
    }

    public static CleanShutdownMarker Capture(LogSegment active) =>
        new(active.BaseOffset, FileLength(active.LogPath), FileLength(active.OffsetIndex.Path), FileLength(active.TimeIndex.Path));

    public static void Delete(string directory) => LogFiles.TryDelete(Path.Combine(directory, LogFiles.CleanShutdownFile));

    public void Write(string directory) =>
        LogFiles.WriteAtomically(
            Path.Combine(directory, LogFiles.CleanShutdownFile),
            string.Create(CultureInfo.InvariantCulture, $"{Version} {BaseOffset} {LogSize} {OffsetIndexSize} {TimeIndexSize}\n"),
            durable: false);

    public bool Matches(LogSegment active) =>
        active.BaseOffset == BaseOffset
        && FileLength(active.LogPath) == LogSize
        && FileLength(active.OffsetIndex.Path) == OffsetIndexSize
        && FileLength(active.TimeIndex.Path) == TimeIndexSize;

    private static long FileLength(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : -1;
    }
}
