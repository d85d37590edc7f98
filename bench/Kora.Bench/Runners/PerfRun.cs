using Kora.Bench.Processes;
using Kora.Bench.Results;

namespace Kora.Bench.Runners;

/// <summary>One rdkafka_performance run: its parsed summary (null if it printed none) and the errors it reported.</summary>
internal sealed record PerfRun(ThroughputResult? Throughput, ToolResult Tool, IReadOnlyList<string> Errors)
{
    /// <summary>Why this run has no usable result (or null when it has one and reported no errors).</summary>
    public string? Problem => Throughput is null
        ? $"no summary line (exit {Tool.ExitCode}{(Tool.TimedOut ? ", timed out" : "")}); "
          + string.Join(" | ", Errors.Count > 0 ? Errors : Tool.Stderr.Split('\n').TakeLast(5))
        : Errors.Count > 0 ? string.Join(" | ", Errors) : null;
}
