using System.Diagnostics;
using Kora.Bench.Kafka;
using Kora.Bench.Processes;

namespace Kora.Bench.Targets;

/// <summary>Starts a fresh Kora broker or mock cluster on ephemeral loopback ports.</summary>
internal sealed class TargetLauncher(BenchPaths paths)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private int _instance;

    /// <param name="topics">Topics the runs will use: the mock creates them at start-up; Kora gets them later through CreateTopics.</param>
    public Task<BenchTarget> StartAsync(TargetKind kind, IReadOnlyCollection<TopicSpec> topics, CancellationToken cancellation) => kind switch
    {
        TargetKind.Kora => StartKoraAsync(cancellation),
        TargetKind.Mock => StartMockAsync(topics, cancellation),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private async Task<BenchTarget> StartKoraAsync(CancellationToken cancellation)
    {
        if (!File.Exists(paths.BrokerDll))
        {
            throw new FileNotFoundException($"Kora broker not built: {paths.BrokerDll} (dotnet build Kora.Broker -c Release)");
        }
        var dataDir = Path.Combine(paths.WorkDir, $"kora-data-{Interlocked.Increment(ref _instance)}");
        Directory.CreateDirectory(dataDir);
        var info = new ProcessStartInfo("dotnet");
        info.ArgumentList.Add(paths.BrokerDll);
        info.ArgumentList.Add("--Kora:Broker:Listener=127.0.0.1:0");
        info.ArgumentList.Add("--Kora:Broker:HttpListener=127.0.0.1:0");
        info.ArgumentList.Add($"--Kora:Broker:DataDir={dataDir}");
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        try
        {
            var process = await ServerProcess.StartAsync("Kora broker", info, "KORA_BROKER_READY ", StartTimeout, cancellation)
                .ConfigureAwait(false);
            var kafka = process.ReadyLine.Split(' ').First(p => p.StartsWith("kafka=", StringComparison.Ordinal))[6..];
            return new BenchTarget(TargetKind.Kora, kafka, process, dataDir);
        }
        catch
        {
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
    }

    private async Task<BenchTarget> StartMockAsync(IReadOnlyCollection<TopicSpec> topics, CancellationToken cancellation)
    {
        if (!File.Exists(paths.MockCluster))
        {
            throw new FileNotFoundException($"Mock cluster not built: {paths.MockCluster} (scripts/install-test-deps)");
        }
        var info = new ProcessStartInfo(paths.MockCluster);
        info.ArgumentList.Add("1"); // one broker, like Kora
        foreach (var topic in topics)
        {
            info.ArgumentList.Add(topic.MockArgument);
        }
        var process = await ServerProcess.StartAsync("mock cluster", info, "MOCK_BOOTSTRAP ", StartTimeout, cancellation)
            .ConfigureAwait(false);
        return new BenchTarget(TargetKind.Mock, process.ReadyLine.Split(' ')[1], process, dataDir: null);
    }
}
