namespace Kora.Bench.Processes;

/// <summary>One reading of a process's /proc counters.</summary>
/// <param name="CpuSeconds">utime + stime, in seconds.</param>
/// <param name="RssBytes">VmRSS: resident memory now.</param>
/// <param name="PeakRssBytes">VmHWM: the highest resident memory since the process started.</param>
internal sealed record ProcessSnapshot(double CpuSeconds, long RssBytes, long PeakRssBytes);
