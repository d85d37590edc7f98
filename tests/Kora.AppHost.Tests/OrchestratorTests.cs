using System.Diagnostics;
using Kora.AppHost.Hosting;
using Kora.AppHost.Orchestration;

namespace Kora.AppHost.Tests;

/// <summary>The fleet host's orchestration, with small shell scripts standing in for services.</summary>
public sealed class OrchestratorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kora-apphost-" + Guid.NewGuid().ToString("N")[..8]);

    public OrchestratorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private static Resource Shell(string name, string script) => new(name, "/bin/sh", ["-c", script]);

    [Fact]
    public async Task WaitFor_StartsDependentOnlyAfterDependencyIsHealthy()
    {
        var order = Path.Combine(_dir, "order");
        var database = Shell("database", $"sleep 0.5; echo database >> {order}; echo KORA_DB_READY; exec sleep 30");
        database.AnnouncesReadiness = true;
        var service = Shell("service", $"echo service >> {order}; exec sleep 30");
        new ResourceBuilder(service).WaitFor(new ResourceBuilder(database));
        await using var orchestrator = new Orchestrator([service, database], TextWriter.Null, _dir, Grace);
        await orchestrator.StartAllAsync(CancellationToken.None, TimeSpan.FromSeconds(20));
        await WaitUntilAsync(() => File.Exists(order) && File.ReadAllLines(order).Length == 2);
        Assert.Equal(["database", "service"], File.ReadAllLines(order));
    }

    [Fact]
    public async Task ReadyLine_EndpointsAreRecorded_AndHealthCheckGates()
    {
        var resource = Shell("web", "echo KORA_WEB_READY http=127.0.0.1:1 kafka=127.0.0.1:2; exec sleep 30");
        resource.HealthCheckPath = "/health";
        await using var orchestrator = new Orchestrator([resource], TextWriter.Null, _dir, Grace);
        // Nothing listens on port 1, so the health check never passes and start-up times out.
        await Assert.ThrowsAsync<TimeoutException>(() => orchestrator.StartAllAsync(CancellationToken.None, TimeSpan.FromSeconds(2)));
        Assert.Equal("127.0.0.1:2", resource.Endpoints["kafka"]);
    }

    [Fact]
    public async Task CrashedResource_IsRestarted()
    {
        var runs = Path.Combine(_dir, "runs");
        var resource = Shell("flaky", $"echo run >> {runs}; sleep 0.2; exit 3");
        resource.MaxRestarts = 2;
        await using var orchestrator = new Orchestrator([resource], TextWriter.Null, _dir, Grace);
        await orchestrator.StartAllAsync(CancellationToken.None, TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => File.Exists(runs) && File.ReadAllLines(runs).Length == 3, TimeSpan.FromSeconds(15));
        Assert.Equal(2, orchestrator.Runners[resource].Restarts);
    }

    [Fact]
    public async Task Dispose_StopsEveryChild()
    {
        var a = Shell("a", "exec sleep 60");
        var b = Shell("b", "exec sleep 60");
        var orchestrator = new Orchestrator([a, b], TextWriter.Null, _dir, Grace);
        await orchestrator.StartAllAsync(CancellationToken.None, TimeSpan.FromSeconds(10));
        var pids = orchestrator.Runners.Values.Select(r => r.ProcessId!.Value).ToList();
        await orchestrator.DisposeAsync();
        foreach (var pid in pids)
        {
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        }
    }

    [Fact]
    public async Task Logs_AreCapturedPerResource()
    {
        var resource = Shell("talker", "echo hello from talker; exec sleep 30");
        var console = new StringWriter();
        await using (var orchestrator = new Orchestrator([resource], TextWriter.Synchronized(console), _dir, Grace))
        {
            await orchestrator.StartAllAsync(CancellationToken.None, TimeSpan.FromSeconds(10));
            await WaitUntilAsync(() => console.ToString().Contains("[talker] hello from talker", StringComparison.Ordinal));
        }
        Assert.Contains("hello from talker", await File.ReadAllTextAsync(Path.Combine(_dir, "talker.log")));
    }

    [Theory]
    [InlineData("KORA_BROKER_READY kafka=127.0.0.1:9092 http=127.0.0.1:4000", true)]
    [InlineData("KORA_BROKER_STARTING", false)]
    [InlineData("some log line", false)]
    public void ReadyLine_Parse(string line, bool ready)
    {
        Assert.Equal(ready, ReadyLine.TryParse(line, out var endpoints));
        if (ready)
        {
            Assert.Equal("127.0.0.1:9092", endpoints["kafka"]);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
