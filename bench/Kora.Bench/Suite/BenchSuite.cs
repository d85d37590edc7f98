using System.Diagnostics;
using Kora.Bench.Kafka;
using Kora.Bench.Report;
using Kora.Bench.Results;
using Kora.Bench.Runners;
using Kora.Bench.Targets;

namespace Kora.Bench.Suite;

/// <summary>
/// Runs every benchmark against each target in turn. One broker process serves the latency,
/// produce and consume runs (its CPU and peak memory are measured over them); the
/// 1,000-partition memory run gets a fresh one. A failing step is recorded and the rest go on.
/// </summary>
internal sealed class BenchSuite(BenchOptions options)
{
    private readonly TargetLauncher _launcher = new(options.Paths);

    public async Task<BenchReport> RunAsync(CancellationToken cancellation)
    {
        var startedAt = DateTimeOffset.Now;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Current(await GitCommit.DescribeAsync(options.Paths.RepoRoot).ConfigureAwait(false));
        var targets = new List<TargetResults>();
        foreach (var kind in options.Targets)
        {
            targets.Add(await RunTargetAsync(kind, cancellation).ConfigureAwait(false));
        }
        var report = new BenchReport(startedAt, clock.Elapsed.TotalSeconds, machine, options.Profile, targets, []);
        return report with { Goals = GoalEvaluator.Evaluate(report) };
    }

    private async Task<TargetResults> RunTargetAsync(TargetKind kind, CancellationToken cancellation)
    {
        var results = new TargetResults(kind.ToString());
        var perf = new PerfTool(options.Paths.RdkafkaPerformance);
        if (options.Steps.Overlaps([BenchStep.Produce, BenchStep.Consume, BenchStep.Latency, BenchStep.Groups, BenchStep.Transactions]))
        {
            await RunMainAsync(kind, results, perf, cancellation).ConfigureAwait(false);
        }
        if (results.StartError is null)
        {
            await StepAsync(results, BenchStep.Memory, () => new PartitionMemoryBenchmark(options.Profile, _launcher).RunAsync(kind, results, cancellation), cancellation).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>Latency, produce, consume, group and transaction steps against one broker process, measuring its CPU and peak memory.</summary>
    private async Task RunMainAsync(TargetKind kind, TargetResults results, PerfTool perf, CancellationToken cancellation)
    {
        try
        {
            Log.Info($"{kind}: starting");
            var topics = ProduceBenchmark.Topics.Concat(LatencyBenchmark.Topics(options.Profile)).Concat(GroupBenchmark.Topics).Concat(TransactionBenchmark.Topics).ToList();
            var target = await _launcher.StartAsync(kind, topics, cancellation).ConfigureAwait(false);
            await using (target.ConfigureAwait(false))
            {
                Log.Info($"{kind}: ready at {target.BootstrapServers} (pid {target.Process.Pid})");
                var before = target.Process.Snapshot();
                var wall = Stopwatch.StartNew();
                // Latency first: the produce step deletes multi-GB topics, and Kora frees their disk
                // space a minute later (file.delete.delay.ms), which stalls fsyncs for 100-300 ms.
                await StepAsync(results, BenchStep.Latency, () => new LatencyBenchmark(options.Profile).RunAsync(target, results, cancellation), cancellation).ConfigureAwait(false);
                await StepAsync(results, BenchStep.Produce, () => new ProduceBenchmark(options.Profile, perf).RunAsync(target, results, cancellation), cancellation).ConfigureAwait(false);
                await StepAsync(results, BenchStep.Consume, () => new ConsumeBenchmark(options.Profile, perf).RunAsync(target, results, cancellation), cancellation).ConfigureAwait(false);
                await StepAsync(results, BenchStep.Groups, () => new GroupBenchmark(options.Profile).RunAsync(target, results, cancellation), cancellation).ConfigureAwait(false);
                await StepAsync(results, BenchStep.Transactions, () => new TransactionBenchmark(options.Profile).RunAsync(target, results, cancellation), cancellation).ConfigureAwait(false);
                if (target.Process.HasExited)
                {
                    results.Problems.Add($"{kind} process exited during the run with code {target.Process.ExitCode}");
                }
                else
                {
                    var after = target.Process.Snapshot();
                    results.Resources = new ResourceUsage(after.CpuSeconds - before.CpuSeconds, wall.Elapsed.TotalSeconds, after.PeakRssBytes);
                }
                results.TargetLog.AddRange(target.Process.Log.Notable());
            }
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            results.StartError = e.Message;
            Log.Warn($"{kind}: {e.Message}");
        }
    }

    private async Task StepAsync(TargetResults results, BenchStep step, Func<Task> run, CancellationToken cancellation)
    {
        if (!options.Steps.Contains(step))
        {
            return;
        }
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            results.Problems.Add($"{step.ToString().ToLowerInvariant()}: {e.GetType().Name}: {e.Message}");
            Log.Warn($"{results.Target}: {step}: {e.Message}");
        }
    }
}
