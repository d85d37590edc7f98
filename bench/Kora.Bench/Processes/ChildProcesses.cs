using System.Diagnostics;
using System.Globalization;

namespace Kora.Bench.Processes;

/// <summary>
/// Registry of every child process the benchmark starts. <see cref="KillAll"/> runs on every way out
/// (normal end, Ctrl+C, SIGTERM, unhandled exception), and each child's "pid starttime" is appended to
/// an optional pid file so that bench/run can still stop leftovers, by id, if this process dies hard.
/// </summary>
internal static class ChildProcesses
{
    private static readonly Lock Gate = new();
    private static readonly List<Process> Live = [];
    private static string? _pidFile;

    public static void UsePidFile(string? path) => _pidFile = path;

    public static Process Start(ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        lock (Gate)
        {
            process.Start();
            Live.Add(process);
            if (_pidFile is not null && ProcStats.StartTime(process.Id) is { } startTime)
            {
                File.AppendAllText(_pidFile, string.Create(CultureInfo.InvariantCulture, $"{process.Id} {startTime}\n"));
            }
        }
        return process;
    }

    /// <summary>Forgets a child that has exited (and disposes it).</summary>
    public static void Release(Process process)
    {
        lock (Gate)
        {
            Live.Remove(process);
        }
        process.Dispose();
    }

    public static void KillAll()
    {
        lock (Gate)
        {
            foreach (var process in Live)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }
                catch (InvalidOperationException)
                {
                    // Exited in the meantime.
                }
            }
            Live.Clear();
        }
    }
}
