using System.Text.RegularExpressions;

namespace Kora.Bench.Processes;

/// <summary>
/// Bounded record of a child's output lines: the most recent lines, plus the first lines that look
/// like warnings or errors (kept verbatim, so they can be quoted in the report).
/// </summary>
internal sealed partial class OutputLog(int recentLimit = 200, int notableLimit = 100)
{
    private readonly Lock _gate = new();
    private readonly Queue<string> _recent = new();
    private readonly List<string> _notable = [];
    private int _notableDropped;

    public void Add(string line)
    {
        lock (_gate)
        {
            _recent.Enqueue(line);
            if (_recent.Count > recentLimit)
            {
                _recent.Dequeue();
            }
            if (NotablePattern().IsMatch(line))
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
            return _notableDropped == 0 ? [.. _notable] : [.. _notable, $"... and {_notableDropped} more such lines"];
        }
    }

    [GeneratedRegex(@"warn|fail|error|crit|exception|unhandled|panic", RegexOptions.IgnoreCase)]
    private static partial Regex NotablePattern();
}
