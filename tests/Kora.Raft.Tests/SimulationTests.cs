using Kora.Raft.Tests.Simulation;
using Xunit.Abstractions;

namespace Kora.Raft.Tests;

/// <summary>
/// Thousands of seeded schedules of the deterministic cluster simulation. A failure names its seed;
/// <c>KORA_RAFT_SEED=n</c> replays that one seed with a full event trace.
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    private const int SeedsPerRun = 2000;

    [Fact]
    public void TwoThousandSeedsKeepSafetyAndLiveness()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        long committed = 0, elections = 0, crashes = 0;
        Parallel.For(0, SeedsPerRun, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var simulation = new ClusterSimulation(SimulationOptions.ForSeed(seed));
            try
            {
                simulation.Run();
                Interlocked.Add(ref committed, simulation.Committed);
                Interlocked.Add(ref elections, simulation.Elections);
                Interlocked.Add(ref crashes, simulation.Crashes);
            }
            catch (SimulationFailure e)
            {
                failures.Add(e.Message);
            }
        });
        output.WriteLine($"{SeedsPerRun} seeds: {committed} records committed, {elections} leaders elected, {crashes} crashes");
        foreach (var kind in failures.Select(f => f.Split('\n')[0]).Take(20))
        {
            output.WriteLine(kind);
        }
        Assert.True(failures.IsEmpty, failures.IsEmpty ? "" : $"{failures.Count} seeds failed; first:\n{failures.OrderBy(f => f.Length).First()}");
        Assert.True(committed > SeedsPerRun * 10, "The schedules committed too little to mean anything.");
        Assert.True(crashes > SeedsPerRun, "The schedules crashed too few nodes to mean anything.");
    }

    [Fact]
    public void ReplaySeed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KORA_RAFT_SEED"), out var s) ? s : 7;
        var first = new List<string>();
        new ClusterSimulation(SimulationOptions.ForSeed(seed), first.Add).Run();
        var second = new List<string>();
        new ClusterSimulation(SimulationOptions.ForSeed(seed), second.Add).Run();
        foreach (var line in first)
        {
            output.WriteLine(line);
        }
        // Determinism: the same seed produces the same schedule, event for event.
        Assert.Equal(first, second);
    }
}
