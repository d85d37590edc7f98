using Kora.AppHost.Hosting;

namespace Kora.AppHost.Orchestration;

/// <summary>
/// Starts every resource once the resources it waits for are healthy (independent ones in parallel)
/// and stops them all, dependents first, when disposed.
/// </summary>
internal sealed class Orchestrator(IReadOnlyList<Resource> resources, TextWriter console, string? logDirectory = null, TimeSpan? stopGrace = null) : IAsyncDisposable
{
    private readonly Dictionary<Resource, ResourceRunner> _runners = resources.ToDictionary(
        r => r, r => new ResourceRunner(r, console, logDirectory ?? Path.Combine(".data", "logs"), stopGrace ?? TimeSpan.FromSeconds(15)));
    private readonly List<ResourceRunner> _startOrder = [];

    public IReadOnlyDictionary<Resource, ResourceRunner> Runners => _runners;

    public async Task StartAllAsync(CancellationToken cancellation, TimeSpan? timeout = null)
    {
        CheckForCycles();
        var started = new Dictionary<Resource, Task>();
        foreach (var resource in resources)
        {
            _ = StartWhenReady(resource, started);
        }
        await Task.WhenAll(started.Values).WaitAsync(timeout ?? TimeSpan.FromMinutes(2), cancellation).ConfigureAwait(false);
    }

    private Task StartWhenReady(Resource resource, Dictionary<Resource, Task> started)
    {
        if (started.TryGetValue(resource, out var existing))
        {
            return existing;
        }
        var dependencies = resource.WaitsFor.Select(d => StartWhenReady(d, started)).ToArray();
        var task = StartAfterAsync(resource, dependencies);
        started[resource] = task;
        return task;
    }

    private async Task StartAfterAsync(Resource resource, Task[] dependencies)
    {
        await Task.WhenAll(dependencies).ConfigureAwait(false);
        var runner = _runners[resource];
        lock (_startOrder)
        {
            _startOrder.Add(runner);
        }
        runner.Start();
        await runner.Healthy.ConfigureAwait(false);
    }

    private void CheckForCycles()
    {
        var state = new Dictionary<Resource, bool>();
        void Visit(Resource r)
        {
            if (state.TryGetValue(r, out var done))
            {
                if (!done)
                {
                    throw new InvalidOperationException($"Resource '{r.Name}' waits for itself through its dependencies.");
                }
                return;
            }
            state[r] = false;
            foreach (var d in r.WaitsFor)
            {
                Visit(d);
            }
            state[r] = true;
        }
        foreach (var r in resources)
        {
            Visit(r);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<ResourceRunner> order;
        lock (_startOrder)
        {
            order = [.. _startOrder];
        }
        order.Reverse();
        foreach (var runner in order)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
