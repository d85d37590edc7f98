using Kora.Bench.Targets;

namespace Kora.Bench;

/// <summary>Command line of Kora.Bench (bench/run passes the paths).</summary>
internal sealed record BenchOptions(
    BenchProfile Profile, IReadOnlyList<TargetKind> Targets, IReadOnlySet<BenchStep> Steps, BenchPaths Paths, string? PidFile)
{
    public const string Usage = """
        Usage: Kora.Bench [--quick] [--targets kora,mock] [--only STEPS] [--repo DIR] [--work-dir DIR] [--results-dir DIR] [--pid-file FILE]
          --quick            ~2 minute smoke run instead of the ~5 minute full run
          --targets LIST     which of kora, mock to measure (default: both)
          --only STEPS       run only some of latency, produce, consume, memory, groups, transactions (consume needs produce)
          --repo DIR         repository root (default: found upwards from the program)
          --work-dir DIR     scratch folder for broker data (default: a new folder in /tmp, deleted afterwards)
          --results-dir DIR  where <timestamp>.json and .md go (default: <repo>/bench/results)
          --pid-file FILE    append "pid starttime" of every child process (for bench/run's cleanup)
        """;

    /// <summary>Parses the arguments; null (after printing why) when they are wrong or --help was asked.</summary>
    public static BenchOptions? Parse(string[] args)
    {
        var profile = BenchProfile.Full;
        List<TargetKind> targets = [TargetKind.Kora, TargetKind.Mock];
        HashSet<BenchStep> steps = [.. Enum.GetValues<BenchStep>()];
        string? repo = null, work = null, results = null, pidFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    profile = BenchProfile.Quick;
                    break;
                case "--targets" when i + 1 < args.Length:
                    targets = [];
                    foreach (var name in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!Enum.TryParse<TargetKind>(name, ignoreCase: true, out var kind))
                        {
                            return Fail($"unknown target '{name}'");
                        }
                        targets.Add(kind);
                    }
                    break;
                case "--only" when i + 1 < args.Length:
                    steps = [];
                    foreach (var name in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!Enum.TryParse<BenchStep>(name, ignoreCase: true, out var step))
                        {
                            return Fail($"unknown step '{name}'");
                        }
                        steps.Add(step);
                    }
                    break;
                case "--repo" when i + 1 < args.Length:
                    repo = args[++i];
                    break;
                case "--work-dir" when i + 1 < args.Length:
                    work = args[++i];
                    break;
                case "--results-dir" when i + 1 < args.Length:
                    results = args[++i];
                    break;
                case "--pid-file" when i + 1 < args.Length:
                    pidFile = args[++i];
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return null;
                default:
                    return Fail($"unexpected argument '{args[i]}'");
            }
        }
        repo ??= FindRepoRoot();
        if (repo is null)
        {
            return Fail("cannot find the repository root (Kora.sln); pass --repo");
        }
        repo = Path.GetFullPath(repo);
        var paths = new BenchPaths(
            repo,
            Path.GetFullPath(work ?? Path.Combine(Path.GetTempPath(), "kora-bench-" + Guid.NewGuid().ToString("N")[..8])),
            Path.GetFullPath(results ?? Path.Combine(repo, "bench", "results")));
        return new BenchOptions(profile, [.. targets.Distinct()], steps, paths, pidFile);
    }

    private static BenchOptions? Fail(string message)
    {
        Console.Error.WriteLine("Kora.Bench: " + message);
        Console.Error.WriteLine(Usage);
        return null;
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kora.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
