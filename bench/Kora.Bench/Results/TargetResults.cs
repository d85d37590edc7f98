namespace Kora.Bench.Results;

/// <summary>Everything measured against one target (Kora or the mock).</summary>
internal sealed class TargetResults(string target)
{
    public string Target { get; } = target;

    /// <summary>Set when the target could not be started at all.</summary>
    public string? StartError { get; set; }

    public List<ProduceResult> Produce { get; } = [];
    public List<ConsumeResult> Consume { get; } = [];
    public List<LatencyResult> Latency { get; } = [];
    public ResourceUsage? Resources { get; set; }
    public PartitionMemoryResult? PartitionMemory { get; set; }
    public GroupResult? Groups { get; set; }
    public TransactionResult? Transactions { get; set; }

    /// <summary>Warning and error lines the target printed (verbatim, bounded).</summary>
    public List<string> TargetLog { get; } = [];

    /// <summary>Errors from the benchmark side (client errors, timeouts, exceptions).</summary>
    public List<string> Problems { get; } = [];
}
