using System.Runtime.InteropServices;

namespace Kora.Broker.Hosting;

/// <summary>
/// RLIMIT_NOFILE: a broker needs a descriptor per connection and per busy log file, so at start it raises its soft
/// limit to the hard one, as Kafka deployments do with <c>ulimit -n</c>. An unprivileged process may do that for itself.
/// </summary>
internal static partial class OpenFileLimit
{
    // RLIMIT_NOFILE on Linux (every architecture .NET runs on); macOS numbers it 8.
    private static int Resource => OperatingSystem.IsMacOS() ? 8 : 7;

    /// <summary>Raises the soft limit to the hard limit. Returns the (soft, hard) limits in force afterwards; null where unsupported.</summary>
    public static (ulong Soft, ulong Hard)? RaiseToHard()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }
        if (GetLimit(Resource, out var limit) != 0)
        {
            return null;
        }
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetLimit(Resource, in raised) == 0)
            {
                limit = raised;
            }
        }
        return (limit.Current, limit.Maximum);
    }

    /// <summary>The current (soft, hard) limits; null where unsupported.</summary>
    public static (ulong Soft, ulong Hard)? Current() =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && GetLimit(Resource, out var limit) == 0
            ? (limit.Current, limit.Maximum)
            : null;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, in ResourceLimit limit);

    /// <summary>struct rlimit: two rlim_t, 64-bit on 64-bit Linux and macOS.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct ResourceLimit(ulong Current, ulong Maximum);
}
