using System.Collections.Concurrent;
using System.Diagnostics;

namespace Kora.AppHost.Orchestration;

/// <summary>
/// Starts child processes so that none outlives the host and Ctrl+C reaches only the host:
/// <list type="bullet">
/// <item><c>setpriv --pdeathsig KILL</c>: the kernel kills the child when the host dies, even by
/// SIGKILL. The kernel ties this to the thread that forked the child, not to the process, so every
/// child is forked from one dedicated thread that lives as long as the host (a thread-pool thread
/// that retires would take its children with it);</item>
/// <item><c>setsid</c>: the child leads its own session and process group, so the terminal's SIGINT
/// goes to the host alone, which then stops the fleet in dependency order, signalling each child's
/// whole group so that a script's own children stop with it.</item>
/// </list>
/// Both programs are util-linux's, on every Debian; without them children are started directly.
/// </summary>
internal static class ProcessLauncher
{
    private const string Setpriv = "/usr/bin/setpriv";
    private const string Setsid = "/usr/bin/setsid";

    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Pending = [];

    static ProcessLauncher()
    {
        new Thread(Run) { IsBackground = true, Name = "Kora.AppHost child launcher" }.Start();
    }

    /// <summary>Whether children get their own process group and die with the host.</summary>
    public static bool IsolatesChildren { get; } = File.Exists(Setpriv) && File.Exists(Setsid);

    /// <summary>The start information for <paramref name="fileName"/>, wrapped so that the child is isolated as above.</summary>
    public static ProcessStartInfo CreateStartInfo(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(IsolatesChildren ? Setpriv : fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (IsolatesChildren)
        {
            foreach (var wrapper in (string[])["--pdeathsig", "KILL", "--", Setsid, "--", fileName])
            {
                info.ArgumentList.Add(wrapper);
            }
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }

    /// <summary>Calls <see cref="Process.Start()"/> on the launcher thread.</summary>
    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Pending.Add((process, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (process, started) in Pending.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
