using System.Globalization;
using Kora.AppHost.Hosting;
using Kora.AppHost.Hosting.Health;
using Kora.AppHost.Logs;
using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Orchestration;

/// <summary>
/// Runs one resource: starts its process with its resolved arguments and environment, copies its
/// output to its log file and the console, waits for its health checks, restarts it after a crash as
/// its <see cref="RestartPolicy"/> allows, and on stop sends SIGTERM, waits, then SIGKILL.
/// </summary>
internal sealed partial class ResourceRunner : IAsyncDisposable
{
    private readonly Resource _resource;
    private readonly FleetConsole _console;
    private readonly ResourceLogFile _log;
    private readonly ILogger _logger;
    private readonly TimeSpan _stopGrace;
    private readonly TaskCompletionSource _healthy = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _reportedEndpoints = [];
    private CancellationToken _force;
    private Task? _supervisor;
    private ResourceProcess? _process;
    private ResourceState _state = ResourceState.NotStarted;
    private int _restarts;
    private int? _lastExitCode;

    public ResourceRunner(Resource resource, FleetConsole console, string logDirectory, ILogger logger, TimeSpan stopGrace)
    {
        _resource = resource;
        _console = console;
        _log = new ResourceLogFile(logDirectory, resource.Name);
        _logger = logger;
        _stopGrace = stopGrace;
    }

    public Resource Resource => _resource;

    /// <summary>Completes the first time the resource is healthy; fails if it never can be.</summary>
    public Task Healthy => _healthy.Task;

    public ResourceSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new ResourceSnapshot(_resource.Name, _state, _process is { HasExited: false } p ? p.Id : null, _restarts, _lastExitCode,
                new Dictionary<string, string>(_reportedEndpoints));
        }
    }

    public void MarkWaiting() => SetState(ResourceState.Waiting);

    public void Start() => _supervisor = SuperviseAsync(_stopping.Token);

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var budget = new RestartBudget(_resource.RestartPolicy);
        while (true)
        {
            SetState(ResourceState.Starting);
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ResourceProcess process;
            try
            {
                process = await LaunchAsync(ready).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or FileNotFoundException or InvalidOperationException)
            {
                LogFailedToStart(_logger, _resource.Name, e);
                _log.Write("host", $"failed to start: {e.Message}");
                SetState(ResourceState.Failed);
                _healthy.TrySetException(new InvalidOperationException($"{_resource.Name} could not be started: {e.Message}", e));
                return;
            }
            lock (_lock)
            {
                _process = process;
                _state = ResourceState.Running;
            }
            LogStarted(_logger, _resource.Name, process.Id);
            _log.Write("host", $"started (pid {process.Id})");
            using var instance = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var health = WatchHealthAsync(process, ready.Task, instance.Token);
            try
            {
                await process.Exited.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await instance.CancelAsync().ConfigureAwait(false);
                await health.ConfigureAwait(false);
                await TerminateAsync(process).ConfigureAwait(false);
                return;
            }
            await instance.CancelAsync().ConfigureAwait(false);
            await health.ConfigureAwait(false);

            var uptime = DateTimeOffset.UtcNow - process.StartedAt;
            var exitCode = process.ExitCode;
            lock (_lock)
            {
                _lastExitCode = exitCode;
            }
            process.Dispose();
            if (budget.OnExit(DateTimeOffset.UtcNow, uptime) is not { } delay)
            {
                LogGaveUp(_logger, _resource.Name, exitCode, budget.RecentRestarts);
                _log.Write("host", $"exited with code {exitCode}; not restarted: already restarted {budget.RecentRestarts} times within a minute");
                SetState(ResourceState.Failed);
                _healthy.TrySetException(new InvalidOperationException($"{_resource.Name} exited with code {exitCode} and may not be restarted again."));
                return;
            }
            SetState(ResourceState.Restarting);
            LogRestarting(_logger, _resource.Name, exitCode, uptime.TotalSeconds, delay.TotalSeconds, budget.RecentRestarts, _resource.RestartPolicy.MaxRestartsPerMinute);
            _log.Write("host", string.Create(CultureInfo.InvariantCulture, $"exited with code {exitCode} after {uptime.TotalSeconds:0.#} s; restarting in {delay.TotalSeconds:0.#} s"));
            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_lock)
            {
                _restarts++;
            }
        }
    }

    private Task<ResourceProcess> LaunchAsync(TaskCompletionSource ready)
    {
        var readyPrefixes = _resource.HealthChecks.OfType<ReadyLineHealthCheckAnnotation>().Select(c => c.Prefix).ToList();
        var environment = _resource.ResolveEnvironment().ToDictionary(e => e.Key, e => e.Value.GetValue(), StringComparer.Ordinal);
        var stdoutLevel = new ChildLogLevel(LogLevel.Information);
        var stderrLevel = new ChildLogLevel(LogLevel.Error);
        if (_resource.DataVolume is { } volume)
        {
            Directory.CreateDirectory(volume.HostPath);
        }
        return ResourceProcess.StartAsync(_resource.GetLaunchCommand(), _resource.Args.Select(a => a.GetValue()), environment,
            line =>
            {
                _log.Write("out", line);
                _console.WriteResourceLine(_resource.Name, stdoutLevel.Classify(line), line);
                foreach (var prefix in readyPrefixes)
                {
                    if (ReadyLine.TryParse(line, prefix, out var endpoints))
                    {
                        lock (_lock)
                        {
                            foreach (var (name, endpoint) in endpoints)
                            {
                                _reportedEndpoints[name] = endpoint;
                            }
                        }
                        ready.TrySetResult();
                    }
                }
            },
            line =>
            {
                _log.Write("err", line);
                _console.WriteResourceLine(_resource.Name, stderrLevel.Classify(line), line);
            });
    }

    /// <summary>Waits for every health check of this run of the process; a run that exits or is stopped first is never healthy.</summary>
    private async Task WatchHealthAsync(ResourceProcess process, Task readyLine, CancellationToken cancellation)
    {
        try
        {
            foreach (var check in _resource.HealthChecks)
            {
                switch (check)
                {
                    case ReadyLineHealthCheckAnnotation:
                        await readyLine.WaitAsync(cancellation).ConfigureAwait(false);
                        break;
                    case HttpHealthCheckAnnotation http:
                        await HttpHealthProbe.WaitUntilHealthyAsync(_resource, http, cancellation).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var again = _healthy.Task.IsCompleted;
        lock (_lock)
        {
            if (_state != ResourceState.Running || process.HasExited)
            {
                return;
            }
            _state = ResourceState.Healthy;
        }
        var endpoints = string.Join(", ", _resource.Endpoints.Select(e => $"{e.Name} {e.Scheme}://{Hosting.Endpoints.EndpointAnnotation.LoopbackHost}:{e.AllocatedPort}"));
        LogHealthy(_logger, _resource.Name, again ? "healthy again" : "healthy", endpoints.Length == 0 ? "" : $" ({endpoints})");
        _log.Write("host", "healthy");
        _healthy.TrySetResult();
    }

    /// <summary>SIGTERM to the process (and its group), the grace period, then SIGKILL.</summary>
    private async Task TerminateAsync(ResourceProcess process)
    {
        SetState(ResourceState.Stopping);
        process.Signal(Signals.Term);
        var graceEnds = DateTime.UtcNow + _stopGrace;
        try
        {
            await process.Exited.WaitAsync(_stopGrace, _force).ConfigureAwait(false);
            LogStopped(_logger, _resource.Name, process.ExitCode);
            _log.Write("host", $"stopped (exit code {process.ExitCode})");
            var rest = graceEnds - DateTime.UtcNow;
            if (!await process.WaitForGroupAsync(rest > TimeSpan.Zero ? rest : TimeSpan.Zero).ConfigureAwait(false))
            {
                // What a container runtime does when the main process exits: whatever it started goes with it.
                process.Kill();
                await process.WaitForGroupAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            process.Kill();
            await process.Exited.ConfigureAwait(false);
            await process.WaitForGroupAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            LogKilled(_logger, _resource.Name, _stopGrace.TotalSeconds);
            _log.Write("host", "killed: it did not stop within the grace period");
        }
        lock (_lock)
        {
            _lastExitCode = process.ExitCode;
        }
        process.Dispose();
    }

    /// <summary>Stops the resource; <paramref name="force"/> cuts the grace period short.</summary>
    public async Task StopAsync(CancellationToken force = default)
    {
        _force = force;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }
        SetState(ResourceState.Stopped);
        _healthy.TrySetCanceled();
    }

    private void SetState(ResourceState state)
    {
        lock (_lock)
        {
            if (_state != ResourceState.Failed || state == ResourceState.Stopped)
            {
                _state = state;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _log.Dispose();
        _stopping.Dispose();
    }
}
