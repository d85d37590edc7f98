namespace Kora.Bench.Results;

/// <summary>The whole run, as written to bench/results/&lt;timestamp&gt;.json.</summary>
internal sealed record BenchReport(
    DateTimeOffset StartedAt,
    double DurationSeconds,
    MachineInfo Machine,
    BenchProfile Profile,
    IReadOnlyList<TargetResults> Targets,
    IReadOnlyList<GoalResult> Goals)
{
    public TargetResults? For(string target) => Targets.FirstOrDefault(t => t.Target == target);
}
