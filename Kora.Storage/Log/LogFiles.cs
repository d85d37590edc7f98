using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Log;

/// <summary>File names and small-file I/O shared by the log types. Names follow Kafka so its tools recognise a segment.</summary>
internal static class LogFiles
{
    public const string LogSuffix = ".log";
    public const string OffsetIndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string TxnIndexSuffix = ".txnindex";
    public const string CleanShutdownFile = ".clean-shutdown";
    public const string LogStartOffsetFile = "log-start-offset.checkpoint";

    public const string CleanerCheckpointFile = "cleaner-offset-checkpoint";

    /// <summary>A segment file the cleaner is still writing.</summary>
    public const string CleanedSuffix = ".cleaned";

    /// <summary>A cleaned log file ready to replace the segments it was made from; recovery completes the swap.</summary>
    public const string SwapSuffix = ".swap";

    /// <summary>Suffixes of files a crash can leave half-written; no live file ever carries them. Swaps are completed first.</summary>
    public static readonly string[] TempSuffixes = [".tmp", ".deleted", CleanedSuffix, SwapSuffix];

    private const int StemLength = 20;

    // Delete sharing lets retention unlink a segment while a fetch still reads it through an open handle.
    private const FileShare Sharing = FileShare.ReadWrite | FileShare.Delete;

    public static string Stem(string directory, long baseOffset) =>
        Path.Combine(directory, baseOffset.ToString("D20", CultureInfo.InvariantCulture));

    public static bool TryParseBaseOffset(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = -1;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal) || fileName.Length != StemLength + suffix.Length)
        {
            return false;
        }
        return long.TryParse(fileName.AsSpan(0, StemLength), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    public static SafeFileHandle Open(string path, FileMode mode) =>
        File.OpenHandle(path, mode, FileAccess.ReadWrite, Sharing);

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes, or fewer only at end of file.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> destination, long position)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    /// <summary>Replaces a small file so a crash leaves either the old or the new content, never a torn mix.</summary>
    public static void WriteAtomically(string path, string content, bool durable)
    {
        var temp = path + ".tmp";
        var bytes = Encoding.UTF8.GetBytes(content);
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, bytes, 0);
            if (durable)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    public static string? TryReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, replacing it; the cleaner's swap steps.</summary>
    public static void Rename(string from, string to) => File.Move(from, to, overwrite: true);

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover is cleaned up by the next open.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
