namespace Kora.Bench.Results;

/// <summary>Broker (or mock) process usage over the latency, produce and consume runs.</summary>
/// <param name="CpuSeconds">utime + stime accumulated between the first and the last run.</param>
/// <param name="WallSeconds">Wall time of the same interval.</param>
/// <param name="PeakRssBytes">VmHWM at the end: the peak resident memory of the whole process life.</param>
internal sealed record ResourceUsage(double CpuSeconds, double WallSeconds, long PeakRssBytes);
