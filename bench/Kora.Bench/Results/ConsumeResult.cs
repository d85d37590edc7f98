namespace Kora.Bench.Results;

/// <summary>Reading back the topic of a produce scenario from its beginning to its end.</summary>
internal sealed record ConsumeResult(ProduceScenario Source, ThroughputResult? Throughput, double TargetCpuSeconds, string? Error);
