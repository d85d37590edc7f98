using System.Diagnostics;
using Kora.Bench.Results;

namespace Kora.Bench.Stats;

/// <summary>
/// Collects latencies (Stopwatch ticks) from any thread and summarises them exactly, plus the worst
/// latency of each second of the run (by send time), which shows whether slow requests come in bursts.
/// </summary>
internal sealed class LatencyRecorder(int expectedCount, int seconds)
{
    private readonly Lock _gate = new();
    private readonly List<long> _ticks = new(expectedCount);
    private readonly long[] _worstPerSecond = new long[Math.Max(seconds, 1)];

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _ticks.Count;
            }
        }
    }

    /// <param name="second">Second of the measured interval the message was sent in.</param>
    public void Add(long ticks, int second)
    {
        lock (_gate)
        {
            _ticks.Add(ticks);
            var slot = Math.Clamp(second, 0, _worstPerSecond.Length - 1);
            _worstPerSecond[slot] = Math.Max(_worstPerSecond[slot], ticks);
        }
    }

    /// <summary>Highest latency (ms) among messages sent in each second of the measured interval.</summary>
    public IReadOnlyList<double> WorstPerSecond()
    {
        lock (_gate)
        {
            return [.. _worstPerSecond.Select(t => Math.Round(Milliseconds(t), 2))];
        }
    }

    /// <summary>Nearest-rank percentiles in milliseconds; null when nothing was recorded.</summary>
    public Percentiles? Summarise()
    {
        long[] sorted;
        lock (_gate)
        {
            sorted = [.. _ticks];
        }
        if (sorted.Length == 0)
        {
            return null;
        }
        Array.Sort(sorted);
        return new Percentiles(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.99), Rank(sorted, 0.999), Milliseconds(sorted[^1]));
    }

    private static double Rank(long[] sorted, double quantile)
    {
        var index = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return Milliseconds(sorted[Math.Clamp(index, 0, sorted.Length - 1)]);
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
