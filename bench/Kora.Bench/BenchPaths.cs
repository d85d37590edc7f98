namespace Kora.Bench;

/// <summary>Where the benchmark finds its tools and puts its files.</summary>
/// <param name="WorkDir">Scratch space (broker data dirs); bench/run deletes it afterwards.</param>
internal sealed record BenchPaths(string RepoRoot, string WorkDir, string ResultsDir)
{
    public string BrokerDll => Path.Combine(RepoRoot, "Kora.Broker", "bin", "Release", "net10.0", "Kora.Broker.dll");
    public string MockCluster => Path.Combine(RepoRoot, ".deps", "bin", "kora-mock-cluster");
    public string RdkafkaPerformance => Path.Combine(RepoRoot, ".deps", "bin", "rdkafka_performance");
}
