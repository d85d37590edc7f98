namespace Kora.Bench.Processes;

/// <summary>How a short-lived tool run ended.</summary>
/// <param name="Interrupted">It was sent SIGINT on purpose (a time-bounded run).</param>
/// <param name="TimedOut">It overran its time limit and was stopped.</param>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool Interrupted, bool TimedOut);
