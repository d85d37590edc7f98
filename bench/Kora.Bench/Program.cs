using System.Globalization;
using System.Runtime.InteropServices;
using Kora.Bench;
using Kora.Bench.Processes;
using Kora.Bench.Report;
using Kora.Bench.Suite;

// Kora.Bench: throughput, latency and resource benchmarks of Kora against librdkafka's mock
// cluster. Usually started by bench/run, which builds everything first. Progress goes to stderr;
// the Markdown result table goes to stdout and, with a JSON twin, to bench/results/.

var options = BenchOptions.Parse(args);
if (options is null)
{
    return args.Any(a => a is "-h" or "--help") ? 0 : 2;
}

using var cancel = new CancellationTokenSource();
var interrupts = 0;
void Interrupt(string signal)
{
    if (Interlocked.Increment(ref interrupts) == 1)
    {
        Log.Warn($"{signal}: stopping and cleaning up (send it again to kill everything at once)");
        cancel.Cancel();
    }
    else
    {
        ChildProcesses.KillAll();
        Environment.Exit(130);
    }
}
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Interrupt("SIGINT");
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Interrupt("SIGTERM");
});
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();
AppDomain.CurrentDomain.UnhandledException += (_, _) => ChildProcesses.KillAll();

ChildProcesses.UsePidFile(options.PidFile);
var ownsWorkDir = !Directory.Exists(options.Paths.WorkDir);
Directory.CreateDirectory(options.Paths.WorkDir);
try
{
    Log.Info($"{options.Profile.Name} run against {string.Join(" and ", options.Targets)}");
    var report = await new BenchSuite(options).RunAsync(cancel.Token);
    var markdown = MarkdownReport.Render(report);
    Directory.CreateDirectory(options.Paths.ResultsDir);
    var stem = Path.Combine(options.Paths.ResultsDir, report.StartedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
    await File.WriteAllTextAsync(stem + ".json", JsonReport.Render(report));
    await File.WriteAllTextAsync(stem + ".md", markdown);
    Console.WriteLine(markdown);
    Log.Info($"results: {stem}.md and {stem}.json");
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Log.Warn("interrupted: no results written");
    return 130;
}
finally
{
    ChildProcesses.KillAll();
    if (ownsWorkDir && Directory.Exists(options.Paths.WorkDir))
    {
        Directory.Delete(options.Paths.WorkDir, recursive: true);
    }
}
