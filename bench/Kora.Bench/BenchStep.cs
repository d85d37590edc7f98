namespace Kora.Bench;

/// <summary>The benchmark steps, in run order (consume reads what produce wrote).</summary>
internal enum BenchStep
{
    Latency,
    Produce,
    Consume,
    Memory,
    Groups,
    Transactions,
}
