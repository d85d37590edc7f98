using System.Text.RegularExpressions;

namespace Kora.Bench.Processes;

/// <summary>
/// Bounded record of a child's output lines: the most recent lines, plus the first lines that look
/// like warnings or errors, kept verbatim (with their indented continuation lines, which is where
/// Microsoft.Extensions.Logging's console format puts the message and stack trace) so that the
/// report can quote them.
/// </summary>
internal sealed partial class OutputLog(int recentLimit = 200, int notableLimit = 200)
{
    private const int ContinuationLimit = 30;
    private readonly Lock _gate = new();
    private readonly Queue<string> _recent = new();
    private readonly List<string> _notable = [];
    private int _notableDropped;
    private int _continuation = -1;

    public void Add(string line)
    {
        lock (_gate)
        {
            _recent.Enqueue(line);
            if (_recent.Count > recentLimit)
            {
                _recent.Dequeue();
            }
            if (_continuation >= 0 && line.Length > 0 && char.IsWhiteSpace(line[0]))
            {
                if (_continuation++ < ContinuationLimit)
                {
                    Keep(line);
                }
                return;
            }
            _continuation = -1;
            if (NotablePattern().IsMatch(line))
            {
                Keep(line);
                _continuation = 0;
            }
        }
    }

    public IReadOnlyList<string> Recent()
    {
        lock (_gate)
        {
            return [.. _recent];
        }
    }

    /// <summary>Warning/error lines in order of appearance; a last line says how many more were dropped.</summary>
    public IReadOnlyList<string> Notable()
    {
        lock (_gate)
        {
            return _notableDropped == 0 ? [.. _notable] : [.. _notable, $"... and {_notableDropped} more lines"];
        }
    }

    private void Keep(string line)
    {
        if (_notable.Count < notableLimit)
        {
            _notable.Add(line);
        }
        else
        {
            _notableDropped++;
        }
    }

    [GeneratedRegex(@"warn|fail|error|crit|exception|unhandled|panic", RegexOptions.IgnoreCase)]
    private static partial Regex NotablePattern();
}
