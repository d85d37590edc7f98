using System.Globalization;
using Kora.Bench.Results;

namespace Kora.Bench.Report;

/// <summary>The targets: produce throughput vs the mock, produce p99 at 20 MB/s, memory with 1,000 partitions.</summary>
internal static class GoalEvaluator
{
    public const double ThroughputShareOfMock = 0.8;
    public const double ProduceP99Milliseconds = 5;
    public const long PartitionRssBytes = 300_000_000;

    /// <summary>A latency run that fell this far short of its rate doesn't count as "at 20 MB/s".</summary>
    private const double RateTolerance = 0.95;

    public static IReadOnlyList<GoalResult> Evaluate(BenchReport report)
    {
        var kora = report.For("Kora");
        var mock = report.For("Mock");
        var goals = new List<GoalResult>();
        foreach (var scenario in ProduceScenario.All.Where(s => s is { MessageSize: 1024, Acks: 1 }))
        {
            goals.Add(Throughput(scenario, kora, mock));
        }
        var latencies = kora?.Latency ?? [];
        foreach (var partitions in report.Profile.LatencyPartitions)
        {
            goals.Add(Latency(report.Profile, partitions, latencies.FirstOrDefault(l => l.Partitions == partitions)));
        }
        goals.Add(Memory(kora?.PartitionMemory, report.Profile));
        return goals;
    }

    private static GoalResult Throughput(ProduceScenario scenario, TargetResults? kora, TargetResults? mock)
    {
        var goal = $"Produce throughput, {scenario}";
        var threshold = $">= {ThroughputShareOfMock:P0} of mock";
        var k = kora?.Produce.FirstOrDefault(p => p.Scenario == scenario)?.Throughput;
        var m = mock?.Produce.FirstOrDefault(p => p.Scenario == scenario)?.Throughput;
        if (k is null || m is null || m.MessagesPerSecond <= 0)
        {
            return new GoalResult(goal, threshold, Format.Missing, GoalStatus.NotMeasured);
        }
        var share = k.MessagesPerSecond / m.MessagesPerSecond;
        return new GoalResult(goal, threshold,
            string.Create(CultureInfo.InvariantCulture, $"{share:P0} ({Format.Count(k.MessagesPerSecond)} vs {Format.Count(m.MessagesPerSecond)} msg/s)"),
            share >= ThroughputShareOfMock ? GoalStatus.Pass : GoalStatus.Miss);
    }

    private static GoalResult Latency(BenchProfile profile, int partitions, LatencyResult? result)
    {
        var goal = string.Create(CultureInfo.InvariantCulture,
            $"Produce p99 at {profile.LatencyMessagesPerSecond * (double)profile.LatencyMessageSize / 1e6:N1} MB/s, acks=-1, {partitions} partition(s)");
        var threshold = $"<= {ProduceP99Milliseconds} ms";
        if (result?.ProduceAck is not { } ack)
        {
            return new GoalResult(goal, threshold, Format.Missing, GoalStatus.NotMeasured);
        }
        var measured = $"{Format.Milliseconds(ack.P99)} ms";
        var shortfall = result.AchievedMessagesPerSecond < RateTolerance * result.TargetMessagesPerSecond;
        if (shortfall)
        {
            measured += $" (only {Format.Count(result.AchievedMessagesPerSecond)} msg/s sent)";
        }
        if (result.Failed > 0)
        {
            measured += $" ({Format.Count(result.Failed)} failed)";
        }
        var pass = ack.P99 <= ProduceP99Milliseconds && !shortfall && result.Failed == 0;
        return new GoalResult(goal, threshold, measured, pass ? GoalStatus.Pass : GoalStatus.Miss);
    }

    private static GoalResult Memory(PartitionMemoryResult? result, BenchProfile profile)
    {
        var goal = string.Create(CultureInfo.InvariantCulture,
            $"Broker RSS with {profile.MemoryTopics * profile.MemoryPartitionsPerTopic:N0} partitions");
        var threshold = $"<= {Format.Megabytes(PartitionRssBytes)}";
        if (result is null)
        {
            return new GoalResult(goal, threshold, Format.Missing, GoalStatus.NotMeasured);
        }
        var pass = result.RssBytes <= PartitionRssBytes && result.Error is null;
        return new GoalResult(goal, threshold,
            $"{Format.Megabytes(result.RssBytes)} (peak {Format.Megabytes(result.PeakRssBytes)})" + (result.Error is null ? "" : $", {result.Error}"),
            pass ? GoalStatus.Pass : GoalStatus.Miss);
    }
}
