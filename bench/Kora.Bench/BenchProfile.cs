using Kora.Bench.Runners;

namespace Kora.Bench;

/// <summary>How long and how big each benchmark runs: <see cref="Full"/> (about 5 minutes on 2 cores) or <see cref="Quick"/> (about 2).</summary>
/// <param name="CalibrationSeconds">Interrupted warm-up produce run that also measures the rate the real run is sized from.</param>
/// <param name="ProduceSeconds">Intended length of each measured produce run.</param>
/// <param name="MaxBytesPerProduceRun">Cap on one measured run's payload bytes (disk space).</param>
/// <param name="GroupRounds">Rebalances of 10 members over 100 partitions measured, each with a new group.</param>
/// <param name="ConsumeTimeLimitSeconds">A consume run still going after this is interrupted (its rate stays valid).</param>
internal sealed record BenchProfile(
    string Name,
    double CalibrationSeconds,
    double ProduceSeconds,
    long MaxBytesPerProduceRun,
    double ConsumeTimeLimitSeconds,
    double LatencyWarmupSeconds,
    double LatencySeconds,
    int LatencyMessagesPerSecond,
    int LatencyMessageSize,
    IReadOnlyList<int> LatencyPartitions,
    int MemoryTopics,
    int MemoryPartitionsPerTopic,
    int MemoryMessagesPerPartition,
    double MemorySettleSeconds,
    int GroupRounds,
    double CommitSeconds,
    int TransactionMessages,
    int MessagesPerTransaction)
{
    public static BenchProfile Full { get; } = new(
        Name: "full",
        CalibrationSeconds: 2,
        ProduceSeconds: 6,
        MaxBytesPerProduceRun: 8_000_000_000,
        ConsumeTimeLimitSeconds: 30,
        LatencyWarmupSeconds: 3,
        LatencySeconds: 20,
        LatencyMessagesPerSecond: 20_000,
        LatencyMessageSize: 1024,
        LatencyPartitions: [1, 12],
        MemoryTopics: 10,
        MemoryPartitionsPerTopic: 100,
        MemoryMessagesPerPartition: 5,
        MemorySettleSeconds: 5,
        GroupRounds: 3,
        CommitSeconds: 5,
        TransactionMessages: 300_000,
        MessagesPerTransaction: 5_000);

    public static BenchProfile Quick { get; } = Full with
    {
        Name = "quick",
        CalibrationSeconds = 0.7,
        ProduceSeconds = 1.5,
        MaxBytesPerProduceRun = 2_000_000_000,
        ConsumeTimeLimitSeconds = 8,
        LatencyWarmupSeconds = 1,
        LatencySeconds = 5,
        LatencyPartitions = [1],
        GroupRounds = 1,
        CommitSeconds = 2,
        TransactionMessages = 60_000,
    };

    /// <summary>rdkafka_performance settings of every produce run.</summary>
    public IReadOnlyList<string> PerfProducerSettings => PerfTool.ProducerSettings;

    /// <summary>Confluent.Kafka producer settings of the latency run.</summary>
    public IReadOnlyList<string> LatencyProducerSettings => LatencyBenchmark.ProducerSettings;
}
