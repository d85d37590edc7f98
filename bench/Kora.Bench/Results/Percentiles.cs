namespace Kora.Bench.Results;

/// <summary>Latency distribution summary, in milliseconds.</summary>
internal sealed record Percentiles(long Count, double P50, double P99, double P999, double Max);
