using System.Globalization;

namespace Kora.AppHost.Tests.Infrastructure;

/// <summary>Reads Linux's /proc to see which processes are alive, and in which process group.</summary>
public static class ProcessTable
{
    public static bool IsAlive(int pid)
    {
        // A zombie has exited; it only waits for its parent to reap it.
        var stat = Stat(pid);
        return stat is not null && stat.Value.State != 'Z';
    }

    /// <summary>Live processes whose process group is <paramref name="pgid"/>.</summary>
    public static List<int> GroupMembers(int pgid)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { State: not 'Z' } stat && stat.Group == pgid)
            {
                members.Add(pid);
            }
        }
        return members;
    }

    /// <summary>Live children of <paramref name="parent"/>.</summary>
    public static List<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { State: not 'Z' } stat && stat.Parent == parent)
            {
                children.Add(pid);
            }
        }
        return children;
    }

    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return true;
    }

    private static (char State, int Parent, int Group)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses, so split after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture));
    }
}
