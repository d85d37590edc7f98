using Kora.AppHost.Hosting;

namespace Kora.AppHost.Orchestration;

/// <summary>
/// Applies a <see cref="RestartPolicy"/> to one resource's exits: the back-off before each restart,
/// and whether the restarts of the last minute have used up the allowance.
/// </summary>
internal sealed class RestartBudget(RestartPolicy policy)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Queue<DateTimeOffset> _recent = new();
    private TimeSpan _backoff = policy.InitialBackoff;

    /// <summary>Restarts granted within the last minute, as of the latest decision.</summary>
    public int RecentRestarts => _recent.Count;

    /// <summary>The delay before the next start, or null when the resource must stay down.</summary>
    public TimeSpan? OnExit(DateTimeOffset now, TimeSpan uptime)
    {
        while (_recent.Count > 0 && now - _recent.Peek() >= Window)
        {
            _recent.Dequeue();
        }
        if (_recent.Count >= policy.MaxRestartsPerMinute)
        {
            return null;
        }
        if (uptime >= policy.StableAfter)
        {
            _backoff = policy.InitialBackoff;
        }
        var delay = _backoff;
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, policy.MaxBackoff.Ticks));
        _recent.Enqueue(now);
        return delay;
    }
}
