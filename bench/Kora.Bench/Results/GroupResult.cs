namespace Kora.Bench.Results;

/// <summary>Consumer-group figures: rebalance times in seconds, commit rates and latencies.</summary>
/// <param name="JoinSeconds">Per round: from the first member's subscribe to every partition assigned, once each.</param>
/// <param name="LeaveSeconds">Per round: from one member's close to its partitions assigned to the others.</param>
/// <param name="CommitLatency">Synchronous commit of one offset, in milliseconds.</param>
/// <param name="BatchOffsetsPerSecond">Offsets stored per second by synchronous commits of every partition at once.</param>
internal sealed record GroupResult(
    int Members,
    int Partitions,
    IReadOnlyList<double> JoinSeconds,
    IReadOnlyList<double> LeaveSeconds,
    double CommitsPerSecond,
    Percentiles? CommitLatency,
    double BatchOffsetsPerSecond);
