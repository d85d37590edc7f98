namespace Kora.AppHost.Orchestration;

/// <summary>Where a resource is in its life (close to Aspire's known resource states).</summary>
public enum ResourceState
{
    NotStarted,

    /// <summary>Waiting for the resources it waits for to become healthy.</summary>
    Waiting,
    Starting,

    /// <summary>Its process runs; its health checks have not all passed yet.</summary>
    Running,
    Healthy,

    /// <summary>Its process exited on its own; the host starts it again after a back-off.</summary>
    Restarting,
    Stopping,
    Stopped,

    /// <summary>It could not be started, or crashed more often than its restart policy allows.</summary>
    Failed,
}
