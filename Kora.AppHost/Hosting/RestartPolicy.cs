namespace Kora.AppHost.Hosting;

/// <summary>
/// What the host does when a resource's process exits on its own: start it again after a back-off
/// that doubles from <see cref="InitialBackoff"/> up to <see cref="MaxBackoff"/>, unless it has
/// already been restarted <see cref="MaxRestartsPerMinute"/> times within the last minute, in which
/// case the host reports it and leaves it stopped.
/// </summary>
public sealed record RestartPolicy(int MaxRestartsPerMinute, TimeSpan InitialBackoff, TimeSpan MaxBackoff)
{
    public static RestartPolicy Default { get; } = new(5, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(15));

    public static RestartPolicy Never { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>A process that ran at least this long counts as having recovered: the back-off starts over.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromMinutes(1);
}
