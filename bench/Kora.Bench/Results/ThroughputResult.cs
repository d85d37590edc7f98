namespace Kora.Bench.Results;

/// <summary>Messages moved in a measured interval. MB are 10^6 bytes.</summary>
/// <param name="Complete">False when the run was cut short by its time limit (the rate is still over what was moved).</param>
internal sealed record ThroughputResult(long Messages, long Bytes, double Seconds, bool Complete)
{
    public double MessagesPerSecond => Seconds > 0 ? Messages / Seconds : 0;
    public double MegabytesPerSecond => Seconds > 0 ? Bytes / Seconds / 1e6 : 0;
}
