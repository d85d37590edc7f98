using System.Diagnostics;
using Kora.Raft.Tests.Simulation;

// Long soak of the Raft simulation: `--seeds N` schedules (default 100,000) from `--from S`, or
// `--minutes M` of schedules; `--seed S` replays one seed with its full event trace.
var options = ParseArgs(args);
if (options.Seed is { } single)
{
    new ClusterSimulation(SimulationOptions.ForSeed(single), Console.WriteLine).Run();
    Console.WriteLine($"seed {single}: ok");
    return 0;
}

var clock = Stopwatch.StartNew();
var deadline = options.Minutes is { } minutes ? TimeSpan.FromMinutes(minutes) : TimeSpan.MaxValue;
long next = options.From - 1, done = 0, committed = 0, crashes = 0, elections = 0;
var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
var end = options.Minutes is null ? options.From + options.Seeds : long.MaxValue;
var workers = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(() =>
{
    while (clock.Elapsed < deadline && failures.Count < 10)
    {
        var seed = Interlocked.Increment(ref next);
        if (seed >= end)
        {
            return;
        }
        var simulation = new ClusterSimulation(SimulationOptions.ForSeed((int)seed));
        try
        {
            simulation.Run();
            Interlocked.Add(ref committed, simulation.Committed);
            Interlocked.Add(ref crashes, simulation.Crashes);
            Interlocked.Add(ref elections, simulation.Elections);
        }
        catch (SimulationFailure e)
        {
            failures.Enqueue(e.Message);
        }
        var count = Interlocked.Increment(ref done);
        if (count % 10_000 == 0)
        {
            Console.WriteLine($"[raft-soak] {count} seeds in {clock.Elapsed.TotalSeconds:F0} s, {failures.Count} failed");
        }
    }
})).ToArray();
Task.WaitAll(workers);
Console.WriteLine($"[raft-soak] {done} seeds from {options.From} in {clock.Elapsed.TotalSeconds:F1} s: {committed} records committed, {elections} leaders elected, {crashes} crashes, {failures.Count} failed");
foreach (var failure in failures)
{
    Console.WriteLine(failure);
    Console.WriteLine();
}
return failures.IsEmpty ? 0 : 1;

static (long Seeds, long From, double? Minutes, int? Seed) ParseArgs(string[] args)
{
    (long Seeds, long From, double? Minutes, int? Seed) result = (100_000, 100_000, null, null);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        var value = args[i + 1];
        switch (args[i])
        {
            case "--seeds": result.Seeds = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "--from": result.From = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "--minutes": result.Minutes = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "--seed": result.Seed = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: throw new ArgumentException($"Unknown option {args[i]}; use --seeds N, --from S, --minutes M or --seed S.");
        }
    }
    return result;
}
