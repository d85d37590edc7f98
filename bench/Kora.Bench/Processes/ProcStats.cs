using System.Globalization;

namespace Kora.Bench.Processes;

/// <summary>Reads CPU time, resident memory and start time of a process from /proc.</summary>
internal static class ProcStats
{
    private static readonly long ClockTicks = NativeMethods.ClockTicksPerSecond();

    public static ProcessSnapshot Read(int pid)
    {
        var stat = StatFields(pid);
        // Fields after "(comm)": index 0 is field 3 (state), so utime (14) and stime (15) are 11 and 12.
        var ticks = long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture);
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = KilobytesField(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = KilobytesField(line);
            }
        }
        return new ProcessSnapshot((double)ticks / ClockTicks, rss, hwm);
    }

    /// <summary>Field 22 of /proc/PID/stat, in clock ticks since boot: with the pid it names one process for good.</summary>
    public static string? StartTime(int pid)
    {
        try
        {
            return StatFields(pid)[19];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string[] StatFields(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        // The command name may contain spaces and parentheses: everything after the last ')' is fixed.
        return text[(text.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static long KilobytesField(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
