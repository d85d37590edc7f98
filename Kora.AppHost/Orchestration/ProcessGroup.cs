using System.Globalization;

namespace Kora.AppHost.Orchestration;

/// <summary>The members of a process group, read from /proc (a zombie has exited and does not count).</summary>
internal static class ProcessGroup
{
    public static bool HasLiveMembers(int pgid)
    {
        if (!Directory.Exists("/proc"))
        {
            // kill(-pgid, 0) also counts zombies, so it can only err on the side of waiting.
            return Signals.Send(-pgid, 0);
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && IsLiveMember(pid, pgid))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsLiveMember(int pid, int pgid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 2 && fields[0] != "Z" && fields[0] != "X"
            && int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var group) && group == pgid;
    }
}
