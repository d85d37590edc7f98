namespace Kora.Broker.Replication.Throttling;

/// <summary>
/// Kafka's Rate over a SampledStat: bytes summed in up to <c>samples</c> windows of <c>windowMs</c> each, divided
/// by the time the retained windows span, counted as at least <c>samples - 1</c> full windows so that a young
/// sensor does not report a huge rate from its first bytes. Fixed arrays: recording never allocates.
/// Not thread-safe; <see cref="ReplicationQuota"/> serialises access.
/// </summary>
internal sealed class SampledRate(int samples, long windowMs)
{
    private readonly long[] _starts = new long[samples];
    private readonly double[] _values = new double[samples];
    private int _used;
    private int _current;

    public int Samples { get; } = samples;

    public long WindowMs { get; } = windowMs;

    public void Record(double value, long nowMs)
    {
        if (_used == 0)
        {
            Reset(0, nowMs);
            _used = 1;
        }
        else if (nowMs - _starts[_current] >= WindowMs)
        {
            _current = (_current + 1) % Samples;
            _used = Math.Max(_used, _current + 1);
            Reset(_current, nowMs);
        }
        _values[_current] += value;
    }

    /// <summary>Bytes per second over the retained windows.</summary>
    public double Measure(long nowMs)
    {
        if (_used == 0)
        {
            return 0;
        }
        var total = 0.0;
        var oldest = long.MaxValue;
        for (var i = 0; i < _used; i++)
        {
            // Kafka's purgeObsoleteSamples: a window older than the whole span counts nothing.
            if (nowMs - _starts[i] >= Samples * WindowMs)
            {
                Reset(i, nowMs);
            }
            total += _values[i];
            oldest = Math.Min(oldest, _starts[i]);
        }
        var elapsed = nowMs - oldest;
        var fullWindows = elapsed / WindowMs;
        if (fullWindows < Samples - 1)
        {
            elapsed += (Samples - 1 - fullWindows) * WindowMs;
        }
        return total / (elapsed / 1000.0);
    }

    private void Reset(int index, long nowMs)
    {
        _starts[index] = nowMs;
        _values[index] = 0;
    }
}
