using System.Diagnostics;
using Kora.Bench.Results;

namespace Kora.Bench.Stats;

/// <summary>Collects latencies (Stopwatch ticks) from any thread and summarises them exactly.</summary>
internal sealed class LatencyRecorder(int expectedCount)
{
    private readonly Lock _gate = new();
    private readonly List<long> _ticks = new(expectedCount);

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

    public void Add(long ticks)
    {
        lock (_gate)
        {
            _ticks.Add(ticks);
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
