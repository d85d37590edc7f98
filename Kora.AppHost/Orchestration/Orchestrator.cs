using Kora.AppHost.Hosting;
using Kora.AppHost.Logs;
using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Orchestration;

/// <summary>
/// Starts each resource as soon as the resources it waits for are healthy (independent ones in
/// parallel), and stops them in reverse: a resource is stopped only after everything that waits for
/// it has stopped.
/// </summary>
internal sealed class Orchestrator : IAsyncDisposable
{
    private readonly IReadOnlyList<Resource> _resources;
    private readonly Dictionary<Resource, ResourceRunner> _runners;
    private readonly Lock _lock = new();
    private bool _stopping;
    private Task? _stopped;

    public Orchestrator(IReadOnlyList<Resource> resources, FleetConsole console, string logDirectory, ILogger logger, TimeSpan stopGrace)
    {
        _resources = resources;
        _runners = resources.ToDictionary(r => r, r => new ResourceRunner(r, console, logDirectory, logger, stopGrace));
    }

    public IReadOnlyDictionary<Resource, ResourceRunner> Runners => _runners;

    /// <summary>Completes once every resource is healthy; fails if one cannot become healthy or <paramref name="timeout"/> passes.</summary>
    public async Task StartAllAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        var started = new Dictionary<Resource, Task>();
        foreach (var resource in _resources)
        {
            _ = StartWhenReady(resource, started);
        }
        try
        {
            await Task.WhenAll(started.Values).WaitAsync(timeout, cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var waiting = _runners.Values.Select(r => r.Snapshot()).Where(s => s.State != ResourceState.Healthy).Select(s => $"{s.Name} ({s.State})");
            throw new TimeoutException($"The fleet was not healthy within {timeout.TotalSeconds:0} s; not healthy: {string.Join(", ", waiting)}.");
        }
    }

    private Task StartWhenReady(Resource resource, Dictionary<Resource, Task> started)
    {
        if (!started.TryGetValue(resource, out var task))
        {
            var dependencies = resource.WaitsFor.Select(d => StartWhenReady(d, started)).ToArray();
            task = StartAfterAsync(_runners[resource], dependencies);
            started[resource] = task;
        }
        return task;
    }

    private async Task StartAfterAsync(ResourceRunner runner, Task[] dependencies)
    {
        if (dependencies.Length > 0)
        {
            runner.MarkWaiting();
            await Task.WhenAll(dependencies).ConfigureAwait(false);
        }
        lock (_lock)
        {
            if (_stopping)
            {
                throw new OperationCanceledException($"{runner.Resource.Name} was not started: the fleet is stopping.");
            }
            runner.Start();
        }
        await runner.Healthy.ConfigureAwait(false);
    }

    /// <summary>Stops every resource, dependents before what they wait for; <paramref name="force"/> skips the remaining grace periods.</summary>
    public Task StopAllAsync(CancellationToken force = default)
    {
        lock (_lock)
        {
            _stopping = true;
            return _stopped ??= StopInOrderAsync(force);
        }
    }

    private async Task StopInOrderAsync(CancellationToken force)
    {
        var stops = new Dictionary<Resource, Task>();
        Task Stop(Resource resource)
        {
            if (!stops.TryGetValue(resource, out var task))
            {
                var dependents = ResourceGraph.Dependents(_resources, resource).Select(Stop).ToArray();
                task = StopAfterAsync(_runners[resource], dependents, force);
                stops[resource] = task;
            }
            return task;
        }
        await Task.WhenAll(_resources.Select(Stop).ToList()).ConfigureAwait(false);
    }

    private static async Task StopAfterAsync(ResourceRunner runner, Task[] dependents, CancellationToken force)
    {
        await Task.WhenAll(dependents).ConfigureAwait(false);
        await runner.StopAsync(force).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync().ConfigureAwait(false);
        foreach (var runner in _runners.Values)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
