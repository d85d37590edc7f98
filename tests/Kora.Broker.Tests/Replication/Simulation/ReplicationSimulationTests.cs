using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>
/// Seeded schedules of the partition replication simulation. A failure names its seed;
/// <c>KORA_REPLICATION_SEED=n</c> replays that one seed twice and prints its trace;
/// <c>KORA_REPLICATION_SEEDS=n</c> runs more seeds for a longer search.
/// </summary>
public sealed class ReplicationSimulationTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 1000;
    private const int StepsPerSeed = 250;

    [Fact]
    public void AThousandSeedsKeepAcknowledgedDataAndConverge()
    {
        var seeds = int.TryParse(Environment.GetEnvironmentVariable("KORA_REPLICATION_SEEDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : DefaultSeeds;
        var failures = new ConcurrentBag<string>();
        long acknowledged = 0, crashes = 0, leaderChanges = 0;
        var watch = Stopwatch.StartNew();
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            using var simulation = new ReplicationSimulation(seed);
            try
            {
                simulation.Run(StepsPerSeed);
                Interlocked.Add(ref acknowledged, simulation.Acknowledged);
                Interlocked.Add(ref crashes, simulation.Crashes);
                Interlocked.Add(ref leaderChanges, simulation.LeaderChanges);
            }
            catch (ReplicationSimulationFailure e)
            {
                failures.Add(e.Message);
            }
        });
        output.WriteLine($"{seeds} seeds x {StepsPerSeed} steps in {watch.ElapsedMilliseconds} ms: {acknowledged} produces acknowledged, {crashes} crashes, {leaderChanges} leader changes");
        foreach (var kind in failures.Select(f => f.Split('\n')[0]).Take(20))
        {
            output.WriteLine(kind);
        }
        Assert.True(failures.IsEmpty, failures.IsEmpty ? "" : $"{failures.Count} seeds failed; first:\n{failures.OrderBy(f => f.Length).First()}");
        Assert.True(acknowledged > seeds * 10, $"Only {acknowledged} produces acknowledged: the schedules mean too little.");
        Assert.True(crashes > seeds, $"Only {crashes} crashes.");
        Assert.True(leaderChanges > seeds, $"Only {leaderChanges} leader changes.");
    }

    [Fact]
    public void ReplaySeed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KORA_REPLICATION_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 17;
        var first = RunOnce(seed);
        var second = RunOnce(seed);
        Assert.Equal(first.Trace, second.Trace);
        if (Environment.GetEnvironmentVariable("KORA_REPLICATION_SEED") is not null)
        {
            foreach (var line in first.Trace)
            {
                output.WriteLine(line);
            }
        }
        Assert.Null(first.Failure);
    }

    private static (IReadOnlyList<string> Trace, string? Failure) RunOnce(int seed)
    {
        using var simulation = new ReplicationSimulation(seed);
        try
        {
            simulation.Run(StepsPerSeed);
            return (simulation.Trace.ToArray(), null);
        }
        catch (ReplicationSimulationFailure e)
        {
            return (simulation.Trace.ToArray(), e.Message);
        }
    }
}
