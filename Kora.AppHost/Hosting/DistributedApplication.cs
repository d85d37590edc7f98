using Kora.AppHost.Orchestration;

namespace Kora.AppHost.Hosting;

/// <summary>The fleet: starts every resource in dependency order and stops all of them on Ctrl+C or SIGTERM.</summary>
public sealed class DistributedApplication(IReadOnlyList<Resource> resources, string logDirectory)
{
    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    /// <summary>Each resource's output is also kept in <c>&lt;name&gt;.log</c> here.</summary>
    public string LogDirectory => logDirectory;

    public IReadOnlyList<Resource> Resources => resources;

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync(CancellationToken cancellation = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
        await using var orchestrator = new Orchestrator(resources, Console.Out, logDirectory);
        await orchestrator.StartAllAsync(stop.Token).ConfigureAwait(false);
        foreach (var resource in resources.Where(r => r.PrimaryEndpoint is not null))
        {
            Console.WriteLine($"[apphost] {resource.Name} is ready at {resource.PrimaryEndpoint}");
        }
        var bootstrap = string.Join(',', resources.Where(r => r.Endpoints.ContainsKey("kafka")).Select(r => r.Endpoints["kafka"]));
        Console.WriteLine($"Kora is ready. Bootstrap servers: {bootstrap}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("[apphost] stopping");
        }
    }
}
