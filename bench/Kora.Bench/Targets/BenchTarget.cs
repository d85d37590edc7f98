using Kora.Bench.Processes;

namespace Kora.Bench.Targets;

/// <summary>A running broker (Kora or mock) on 127.0.0.1; disposal stops it and deletes its data.</summary>
internal sealed class BenchTarget(TargetKind kind, string bootstrapServers, ServerProcess process, string? dataDir)
    : IAsyncDisposable
{
    public TargetKind Kind { get; } = kind;
    public string Name => Kind.ToString();
    public string BootstrapServers { get; } = bootstrapServers;
    public ServerProcess Process { get; } = process;

    /// <summary>
    /// Whether topics are created and deleted through the Admin API. The mock cluster has no
    /// CreateTopics/DeleteTopics: its topics are passed at start-up.
    /// </summary>
    public bool ManagesTopics => Kind == TargetKind.Kora;

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        if (dataDir is not null && Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
