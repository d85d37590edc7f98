using System.Runtime.InteropServices;

namespace Kora.Bench.Processes;

/// <summary>The two libc calls .NET has no managed API for: sending any signal, and the clock tick rate.</summary>
internal static partial class NativeMethods
{
    public const int SigInt = 2;
    public const int SigTerm = 15;
    private const int ScClkTck = 2; // _SC_CLK_TCK on Linux

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if it is gone already.</summary>
    public static bool Signal(int pid, int signal) => KillNative(pid, signal) == 0;

    public static long ClockTicksPerSecond()
    {
        var ticks = SysConf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }
}
