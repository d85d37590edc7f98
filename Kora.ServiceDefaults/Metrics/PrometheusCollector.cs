using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Kora.ServiceDefaults.Metrics;

/// <summary>
/// Serves the process's Kora.* instruments in Prometheus text format at /metrics, for scrapers and
/// for tests that read a broker's counters. Counters and gauges keep their last value per label set;
/// histograms keep bucket counts, sum and count.
/// </summary>
public sealed class PrometheusCollector : IDisposable
{
    private static readonly double[] Bounds = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 5000];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();

    public PrometheusCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Kora.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _series.GetOrAdd((instrument, Labels(tags)), _ => new Series());
        lock (series)
        {
            switch (instrument)
            {
                case Histogram<double> or Histogram<long> or Histogram<int>:
                    series.Count++;
                    series.Sum += value;
                    series.Buckets ??= new long[Bounds.Length];
                    for (var b = 0; b < Bounds.Length; b++)
                    {
                        if (value <= Bounds[b])
                        {
                            series.Buckets[b]++;
                        }
                    }
                    break;
                case ObservableGauge<long> or ObservableGauge<double> or ObservableGauge<int>
                    or ObservableCounter<long> or ObservableCounter<double> or ObservableUpDownCounter<long>:
                    series.Sum = value;
                    break;
                default:
                    series.Sum += value;
                    break;
            }
        }
    }

    public string Scrape()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var name = MetricName(instrument);
            var isHistogram = instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);
            var isCounter = instrument.GetType().Name is "Counter`1" or "ObservableCounter`1";
            text.Append("# HELP ").Append(name).Append(' ').AppendLine(instrument.Description ?? "");
            text.Append("# TYPE ").Append(name).Append(' ').AppendLine(isHistogram ? "histogram" : isCounter ? "counter" : "gauge");
            foreach (var ((_, labels), series) in group.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (isHistogram)
                    {
                        for (var b = 0; b < Bounds.Length; b++)
                        {
                            var le = $"le=\"{Bounds[b].ToString(CultureInfo.InvariantCulture)}\"";
                            text.Append(name).Append("_bucket{").Append(Join(labels, le)).Append("} ").AppendLine(series.Buckets![b].ToString(CultureInfo.InvariantCulture));
                        }
                        text.Append(name).Append("_bucket{").Append(Join(labels, "le=\"+Inf\"")).Append("} ").AppendLine(series.Count.ToString(CultureInfo.InvariantCulture));
                        text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').AppendLine(series.Sum.ToString(CultureInfo.InvariantCulture));
                        text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').AppendLine(series.Count.ToString(CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(name).Append(isCounter ? "_total" : "").Append(Braces(labels)).Append(' ').AppendLine(series.Sum.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }
        }
        return text.ToString();
    }

    private static string MetricName(Instrument instrument)
    {
        var name = new StringBuilder();
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        return name.ToString();
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }
        var parts = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture)?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
            parts.Add($"{key}=\"{text}\"");
        }
        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

    public void Dispose() => _listener.Dispose();

    private sealed class Series
    {
        public double Sum;
        public long Count;
        public long[]? Buckets;
    }
}
