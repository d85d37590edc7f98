using System.Runtime.InteropServices;
using Kora.AppHost.Logs;
using Kora.AppHost.Orchestration;
using Kora.AppHost.Publishing;
using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Hosting;

/// <summary>
/// The fleet, built: <see cref="RunAsync"/> either starts every resource in dependency order, reports
/// when all are healthy and stops them all on Ctrl+C or SIGTERM (a second signal skips the grace
/// periods), or, with <c>publish</c>, writes the same graph out as a deployment description.
/// </summary>
public sealed partial class DistributedApplication : IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly IReadOnlyList<Action<TextWriter>> _onReady;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private Orchestrator? _orchestrator;

    internal DistributedApplication(DistributedApplicationBuilder builder, IReadOnlyList<Resource> resources, IReadOnlyList<Action<TextWriter>> onReady)
    {
        _builder = builder;
        _onReady = onReady;
        Resources = resources;
        Console = builder.Options.Output is { } output
            ? new FleetConsole(output, colors: false, builder.ConsoleLogLevel)
            : FleetConsole.ForStandardOutput(builder.ConsoleLogLevel);
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new FleetConsoleLoggerProvider(Console)));
        _logger = _loggerFactory.CreateLogger("Kora.AppHost");
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(new DistributedApplicationOptions { Args = args });

    public static DistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new(options);

    public IReadOnlyList<Resource> Resources { get; }

    public DistributedApplicationExecutionContext ExecutionContext => _builder.ExecutionContext;

    public FleetConsole Console { get; }

    /// <summary>Each resource's output is kept in <c>&lt;name&gt;.log</c> here.</summary>
    public string LogDirectory => Path.Combine(_builder.DataDirectory, "logs");

    /// <summary>Runs or publishes; the result is the process exit code (0, or 1 if the fleet could not start).</summary>
    public async Task<int> RunAsync(CancellationToken cancellation = default)
    {
        if (ExecutionContext.IsPublishMode)
        {
            var files = ManifestPublisher.Publish(Resources, ExecutionContext);
            LogPublished(_logger, Resources.Count, ExecutionContext.PublishTarget!.Value.ToString().ToLowerInvariant(), string.Join(", ", files));
            return 0;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var force = new CancellationTokenSource();
        var firstSignal = 0L;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            // One Ctrl+C often arrives twice (the terminal signals `dotnet run` and the host, and wrappers
            // such as `timeout` forward it again), so only a signal a second after the first means "now".
            if (Interlocked.CompareExchange(ref firstSignal, Environment.TickCount64, 0) is var first && first != 0
                && Environment.TickCount64 - first >= 1000)
            {
                force.Cancel();
            }
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var exitCode = 0;
        try
        {
            await StartAsync(stop.Token).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM.
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            LogStartFailed(_logger, e.Message);
            exitCode = 1;
        }
        LogStopping(_logger);
        await StopAsync(force.Token).ConfigureAwait(false);
        LogStoppedAll(_logger);
        return exitCode;
    }

    /// <summary>Starts the fleet and completes once every resource is healthy; then runs the ready callbacks.</summary>
    public async Task StartAsync(CancellationToken cancellation = default)
    {
        if (!ExecutionContext.IsRunMode)
        {
            throw new InvalidOperationException("A published application is not started.");
        }
        if (_orchestrator is not null)
        {
            throw new InvalidOperationException("The application is already started.");
        }
        if (!ProcessLauncher.IsolatesChildren)
        {
            LogNotIsolated(_logger);
        }
        _orchestrator = new Orchestrator(Resources, Console, LogDirectory, _logger, _builder.Options.StopGracePeriod);
        await _orchestrator.StartAllAsync(_builder.Options.StartupTimeout, cancellation).ConfigureAwait(false);
        using var ready = new StringWriter();
        foreach (var callback in _onReady)
        {
            callback(ready);
        }
        Console.WritePlain(ready.ToString());
    }

    /// <summary>Stops every resource in reverse dependency order; <paramref name="force"/> skips the remaining grace periods.</summary>
    public Task StopAsync(CancellationToken force = default) => _orchestrator?.StopAllAsync(force) ?? Task.CompletedTask;

    public ResourceSnapshot GetResourceSnapshot(string name)
    {
        var resource = Resources.FirstOrDefault(r => r.Name == name) ?? throw new ArgumentException($"No resource is named '{name}'.", nameof(name));
        return _orchestrator?.Runners[resource].Snapshot()
            ?? new ResourceSnapshot(name, ResourceState.NotStarted, null, 0, null, new Dictionary<string, string>());
    }

    public async ValueTask DisposeAsync()
    {
        if (_orchestrator is not null)
        {
            await _orchestrator.DisposeAsync().ConfigureAwait(false);
        }
        _loggerFactory.Dispose();
    }
}
