namespace Kora.Bench.Results;

/// <summary>A produce scenario's measurement against one target.</summary>
/// <param name="RequestedMessages">Message count of the measured run, sized from the calibration run's rate.</param>
/// <param name="CalibrationMessagesPerSecond">Rate of the short, interrupted warm-up run.</param>
/// <param name="TargetCpuSeconds">Broker (or mock) CPU time spent during the measured run.</param>
internal sealed record ProduceResult(
    ProduceScenario Scenario,
    ThroughputResult? Throughput,
    long RequestedMessages,
    double CalibrationMessagesPerSecond,
    double TargetCpuSeconds,
    string? Error);
