namespace Kora.Bench.Results;

/// <summary>One target from the issue, evaluated.</summary>
internal sealed record GoalResult(string Goal, string Threshold, string Measured, GoalStatus Status);
