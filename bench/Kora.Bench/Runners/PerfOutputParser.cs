using System.Globalization;
using System.Text.RegularExpressions;
using Kora.Bench.Results;

namespace Kora.Bench.Runners;

/// <summary>Reads rdkafka_performance's final summary line and its error lines.</summary>
internal static partial class PerfOutputParser
{
    private const int ErrorLimit = 10;

    /// <summary>Producer summary: rates over delivered (acknowledged) messages only.</summary>
    public static ThroughputResult? Produce(string stdout, int messageSize, bool complete, out long failed)
    {
        failed = 0;
        var match = ProduceSummary().Matches(stdout).LastOrDefault();
        if (match is null)
        {
            return null;
        }
        var delivered = Long(match, "delivered");
        failed = Long(match, "failed");
        return new ThroughputResult(delivered, delivered * messageSize, Seconds(match), complete);
    }

    public static ThroughputResult? Consume(string stdout, bool complete)
    {
        var match = ConsumeSummary().Matches(stdout).LastOrDefault();
        return match is null ? null : new ThroughputResult(Long(match, "msgs"), Long(match, "bytes"), Seconds(match), complete);
    }

    /// <summary>Error lines from librdkafka's log (stderr) and the tool's own reports (stdout), first few distinct.</summary>
    public static IReadOnlyList<string> Errors(string stdout, string stderr) =>
    [
        .. stderr.Split('\n').Concat(stdout.Split('\n'))
            .Select(l => l.TrimEnd())
            .Where(l => ErrorLine().IsMatch(l) && !l.Contains("|CONFWARN|", StringComparison.Ordinal))
            .Distinct()
            .Take(ErrorLimit),
    ];

    private static long Long(Match match, string group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    // Summary times are whole milliseconds; a sub-millisecond run still counts as 1 ms.
    private static double Seconds(Match match) => Math.Max(Long(match, "ms"), 1) / 1000.0;

    [GeneratedRegex(@"^% (?<msgs>\d+) messages produced \((?<bytes>\d+) bytes\), (?<delivered>\d+) delivered \(offset -?\d+, (?<failed>\d+) failed\) in (?<ms>\d+)ms", RegexOptions.Multiline)]
    private static partial Regex ProduceSummary();

    [GeneratedRegex(@"^% (?<msgs>\d+) messages \((?<bytes>\d+) bytes\) consumed in (?<ms>\d+)ms", RegexOptions.Multiline)]
    private static partial Regex ConsumeSummary();

    // librdkafka logs "%3|<time>|FAIL|..." at levels 0-3 (errors); the tool's own error reports start as below.
    [GeneratedRegex(@"^%[0-3]\||^% (Message delivery failed|produce error|Consume error|Error|Failed)")]
    private static partial Regex ErrorLine();
}
