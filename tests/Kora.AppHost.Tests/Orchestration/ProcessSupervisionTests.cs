using Kora.AppHost.Hosting;
using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Hosting.Expressions;
using Kora.AppHost.Orchestration;
using Kora.AppHost.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Tests.Orchestration;

/// <summary>The host supervising real child processes: small bash scripts and Python's HTTP server.</summary>
public sealed class ProcessSupervisionTests
{
    private static readonly RestartPolicy Quick = new(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));

    [Fact(Timeout = 60_000)]
    public async Task WaitFor_DependentStartsOnlyOnceTheDependencyIsHealthy()
    {
        using var fleet = new TestFleet();
        var order = fleet.File("order");
        var go = fleet.File("go");
        var database = fleet.AddScript("database",
            $"echo database >> {order}; while [ ! -e {go} ]; do sleep 0.05; done; echo KORA_DB_READY; exec sleep 60").WithReadyLine("KORA_DB_READY");
        fleet.AddScript("service", $"echo service >> {order}; exec sleep 60").WaitFor(database);
        await using var app = fleet.Builder.Build();

        var start = app.StartAsync();
        await Eventually.TrueAsync(() => File.Exists(order), "the database has started");
        await Task.Delay(500);
        Assert.Equal(ResourceState.Running, app.GetResourceSnapshot("database").State);
        Assert.Equal(ResourceState.Waiting, app.GetResourceSnapshot("service").State);
        Assert.Null(app.GetResourceSnapshot("service").ProcessId);
        Assert.False(start.IsCompleted);

        await File.WriteAllTextAsync(go, "");
        await start;
        await Eventually.TrueAsync(() => File.ReadAllLines(order).Length == 2, "the service has started");
        Assert.Equal(["database", "service"], await File.ReadAllLinesAsync(order));
        Assert.Equal(ResourceState.Healthy, app.GetResourceSnapshot("service").State);
    }

    [Fact(Timeout = 60_000)]
    public async Task HttpHealthCheck_GatesStart_AndReferencesCarryTheAllocatedAddress()
    {
        using var fleet = new TestFleet(LogLevel.Information);
        var web = fleet.Builder.AddExecutable("web", "python3", null, "-m", "http.server", "--bind", "127.0.0.1").WithHttpEndpoint().WithHttpHealthCheck("/");
        web.WithArgs(ReferenceExpression.Create($"{web.GetEndpoint("http").Property(EndpointProperty.Port)}"));
        fleet.AddScript("client", "echo \"web is at $services__web__http__0\"; exec sleep 60").WithReference(web).WaitFor(web);
        await using var app = fleet.Builder.Build();
        await app.StartAsync();

        var url = web.GetEndpoint("http").Url;
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(url + "/")).IsSuccessStatusCode);
        await Eventually.TrueAsync(() => fleet.Console.Contains($"[client] web is at {url}", StringComparison.Ordinal), "the client printed the web address");
        Assert.Contains($"[apphost] web is healthy (http {url})", fleet.Console);
    }

    [Fact(Timeout = 60_000)]
    public async Task HttpHealthCheck_NeverPassing_FailsStartupNamingTheResource()
    {
        using var fleet = new TestFleet(startupTimeout: TimeSpan.FromSeconds(3));
        var web = fleet.Builder.AddExecutable("web", "python3", null, "-m", "http.server", "--bind", "127.0.0.1").WithHttpEndpoint().WithHttpHealthCheck("/missing");
        web.WithArgs(ReferenceExpression.Create($"{web.GetEndpoint("http").Property(EndpointProperty.Port)}"));
        await using var app = fleet.Builder.Build();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => app.StartAsync());
        Assert.Contains("web (Running)", error.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task CrashedResource_IsRestartedWithBackoff_UntilTheCapIsReported()
    {
        using var fleet = new TestFleet();
        var runs = fleet.File("runs");
        fleet.AddScript("flaky", $"echo run >> {runs}; sleep 0.2; exit 3").WithRestartPolicy(Quick with { MaxRestartsPerMinute = 2 });
        await using var app = fleet.Builder.Build();
        await app.StartAsync();

        await Eventually.TrueAsync(() => app.GetResourceSnapshot("flaky").State == ResourceState.Failed, "the resource is given up on");
        Assert.Equal(3, (await File.ReadAllLinesAsync(runs)).Length);
        var snapshot = app.GetResourceSnapshot("flaky");
        Assert.Equal(2, snapshot.Restarts);
        Assert.Equal(3, snapshot.LastExitCode);
        Assert.Contains("[apphost] flaky exited with code 3 after", fleet.Console);
        Assert.Contains("(1 of 2 restarts allowed per minute)", fleet.Console);
        Assert.Contains("[apphost] flaky exited with code 3 and is not restarted: it was already restarted 2 times within a minute", fleet.Console);
        Assert.Contains("not restarted", fleet.ReadLog("flaky"));
    }

    [Fact(Timeout = 60_000)]
    public async Task CrashBeforeHealthy_IsRestarted_AndStartWaitsForTheHealthyRun()
    {
        using var fleet = new TestFleet();
        var marker = fleet.File("crashed-once");
        fleet.AddScript("phoenix", $"if [ ! -e {marker} ]; then touch {marker}; exit 1; fi; echo KORA_PHOENIX_READY; exec sleep 60")
            .WithReadyLine("KORA_PHOENIX_READY").WithRestartPolicy(Quick);
        await using var app = fleet.Builder.Build();
        await app.StartAsync();
        var snapshot = app.GetResourceSnapshot("phoenix");
        Assert.Equal(ResourceState.Healthy, snapshot.State);
        Assert.Equal(1, snapshot.Restarts);
    }

    [Fact(Timeout = 60_000)]
    public async Task ResourceThatCannotStart_FailsStartup()
    {
        using var fleet = new TestFleet();
        fleet.Builder.AddExecutable("ghost", "/nonexistent/program", null).WithRestartPolicy(RestartPolicy.Never);
        await using var app = fleet.Builder.Build();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("ghost could not be started: There is no program /nonexistent/program.", error.Message);
        Assert.Equal(ResourceState.Failed, app.GetResourceSnapshot("ghost").State);
        Assert.Contains("[apphost] ghost could not be started", fleet.Console);
    }

    [Fact(Timeout = 60_000)]
    public async Task Logs_GoToTheResourceFile_AndToTheConsoleFromTheChosenLevel()
    {
        using var fleet = new TestFleet(LogLevel.Warning);
        fleet.AddScript("talker", """
            echo 'info: Talker.Startup[0]'
            echo '      quiet detail'
            echo 'warn: Talker.Disk[1]'
            echo '      disk nearly full'
            echo 'boom on stderr' >&2
            echo KORA_TALKER_READY
            exec sleep 60
            """).WithReadyLine("KORA_TALKER_READY");
        await using var app = fleet.Builder.Build();
        await app.StartAsync();
        // stdout and stderr are read on their own threads, so either may reach the console first.
        await Eventually.TrueAsync(() => fleet.Console.Contains("[talker] boom on stderr", StringComparison.Ordinal), "stderr reached the console");
        await Eventually.TrueAsync(
            () => fleet.Console.Contains("[talker] warn: Talker.Disk[1]\n[talker]       disk nearly full", StringComparison.Ordinal), "the warning reached the console");

        Assert.DoesNotContain("quiet detail", fleet.Console);
        Assert.DoesNotContain("KORA_TALKER_READY", fleet.Console);
        var log = fleet.ReadLog("talker");
        Assert.Matches(@"\d{4}-\d\d-\d\dT[\d:.]+Z out       quiet detail", log);
        Assert.Contains(" err boom on stderr", log);
        Assert.Contains(" out KORA_TALKER_READY", log);
        Assert.Contains(" host started (pid ", log);
        Assert.Contains(" host healthy", log);
    }

    [Fact(Timeout = 60_000)]
    public async Task Stop_SignalsDependentsFirst_AndEveryProcessInTheirGroups()
    {
        using var fleet = new TestFleet();
        var stops = fleet.File("stops");
        string Service(string name) =>
            $"trap 'echo {name} >> {stops}; exit 0' TERM; sleep 300 & echo $! > {fleet.File(name + ".child")}; echo KORA_{name.ToUpperInvariant()}_READY; wait";
        var database = fleet.AddScript("database", Service("database")).WithReadyLine("KORA_DATABASE_READY");
        var api = fleet.AddScript("api", Service("api")).WithReadyLine("KORA_API_READY").WaitFor(database);
        fleet.AddScript("web", Service("web")).WithReadyLine("KORA_WEB_READY").WaitFor(api);
        var app = fleet.Builder.Build();
        await app.StartAsync();
        var pids = new[] { "database", "api", "web" }.Select(n => app.GetResourceSnapshot(n).ProcessId!.Value).ToList();
        var grandchildren = new[] { "database", "api", "web" }.Select(n => int.Parse(File.ReadAllText(fleet.File(n + ".child")).Trim())).ToList();
        Assert.All(grandchildren, pid => Assert.True(ProcessTable.IsAlive(pid)));

        await app.StopAsync();
        await app.DisposeAsync();
        Assert.Equal(["web", "api", "database"], await File.ReadAllLinesAsync(stops));
        Assert.All(pids.Concat(grandchildren), pid => Assert.False(ProcessTable.IsAlive(pid), $"process {pid} outlived the stop"));
        Assert.Equal(ResourceState.Stopped, app.GetResourceSnapshot("database").State);
        Assert.Contains("[apphost] web stopped (exit code 0)", fleet.Console);
    }

    [Fact(Timeout = 60_000)]
    public async Task Stop_ProcessIgnoringSigterm_IsKilledAfterTheGracePeriod()
    {
        using var fleet = new TestFleet(stopGrace: TimeSpan.FromSeconds(1));
        fleet.AddScript("stubborn", "trap '' TERM; echo KORA_STUBBORN_READY; while true; do sleep 0.1; done").WithReadyLine("KORA_STUBBORN_READY");
        var app = fleet.Builder.Build();
        await app.StartAsync();
        var pid = app.GetResourceSnapshot("stubborn").ProcessId!.Value;
        Assert.NotEmpty(ProcessTable.GroupMembers(pid));

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await app.StopAsync();
        Assert.InRange(stopping.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Empty(ProcessTable.GroupMembers(pid));
        Assert.Contains("[apphost] stubborn was killed: it did not stop within 1 s of SIGTERM", fleet.Console);
        await app.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Stop_BeforeDependencyIsHealthy_NeverStartsTheDependent()
    {
        using var fleet = new TestFleet();
        var slow = fleet.AddScript("slow", "exec sleep 60").WithReadyLine("NEVER");
        fleet.AddScript("dependent", $"touch {fleet.File("started")}; exec sleep 60").WaitFor(slow);
        var app = fleet.Builder.Build();
        var start = app.StartAsync();
        await Eventually.TrueAsync(() => app.GetResourceSnapshot("slow").ProcessId is not null, "slow has started");
        await app.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => start.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(fleet.File("started")));
        await app.DisposeAsync();
    }
}
