using System.Diagnostics;
using System.Globalization;
using Kora.Bench.Processes;
using Kora.Bench.Results;

namespace Kora.Bench.Runners;

/// <summary>librdkafka's rdkafka_performance (.deps/bin), in producer (-P) or consumer (-C) mode.</summary>
internal sealed class PerfTool(string binary)
{
    /// <summary>Producer properties of every produce run (the same against Kora and the mock).</summary>
    public static IReadOnlyList<string> ProducerSettings { get; } = ["linger.ms=5", "batch.size=1000000"];

    /// <summary>
    /// Produces <paramref name="count"/> messages (null: unbounded) and waits for their delivery reports;
    /// with <paramref name="interruptAfter"/> it is stopped early with SIGINT (rate over what was delivered by then).
    /// </summary>
    public async Task<PerfRun> ProduceAsync(
        string bootstrap, string topic, ProduceScenario scenario, long? count, TimeSpan? interruptAfter, TimeSpan timeLimit,
        CancellationToken cancellation)
    {
        var args = new List<string>
        {
            "-P", "-b", bootstrap, "-t", topic, "-s", Invariant(scenario.MessageSize), "-a", Invariant(scenario.Acks),
            "-v", // verbosity 2: prints the first delivery failures with their error
        };
        if (count is { } n)
        {
            args.AddRange(["-c", Invariant(n)]);
        }
        if (scenario.Partitions == 1)
        {
            args.AddRange(["-p", "0"]);
        }
        foreach (var setting in ProducerSettings)
        {
            args.AddRange(["-X", setting]);
        }
        var tool = await ToolRunner.RunAsync(Start(args), interruptAfter, timeLimit, cancellation).ConfigureAwait(false);
        var complete = !tool.Interrupted && !tool.TimedOut;
        var throughput = PerfOutputParser.Produce(tool.Stdout, scenario.MessageSize, complete, out var failed);
        var errors = PerfOutputParser.Errors(tool.Stdout, tool.Stderr).ToList();
        if (failed > 0)
        {
            errors.Insert(0, $"{failed} deliveries failed");
        }
        if (tool.TimedOut)
        {
            errors.Insert(0, $"timed out after {timeLimit.TotalSeconds:0} s");
        }
        return new PerfRun(throughput, tool, errors);
    }

    /// <summary>Reads partitions 0..N-1 from the beginning until every partition reported its end.</summary>
    public async Task<PerfRun> ConsumeAsync(
        string bootstrap, string topic, int partitions, TimeSpan timeLimit, CancellationToken cancellation)
    {
        var args = new List<string> { "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e" };
        for (var p = 0; p < partitions; p++)
        {
            args.AddRange(["-p", Invariant(p)]);
        }
        var tool = await ToolRunner.RunAsync(Start(args), interruptAfter: null, timeLimit, cancellation).ConfigureAwait(false);
        var complete = !tool.Interrupted && !tool.TimedOut;
        return new PerfRun(PerfOutputParser.Consume(tool.Stdout, complete), tool, PerfOutputParser.Errors(tool.Stdout, tool.Stderr));
    }

    private ProcessStartInfo Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(binary);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return info;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
