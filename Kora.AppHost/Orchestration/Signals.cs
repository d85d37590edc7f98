using System.Runtime.InteropServices;

namespace Kora.AppHost.Orchestration;

/// <summary>POSIX signals by number, sent with libc's <c>kill</c> (a negative pid names a process group).</summary>
internal static partial class Signals
{
    public const int Term = 15;
    public const int Kill = 9;

    public static bool Send(int pid, int signal) => SendNative(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendNative(int pid, int signal);
}
