using Kora.AppHost.Publishing;

namespace Kora.AppHost.Hosting;

/// <summary>
/// What this invocation of the host does, as Aspire's execution context: resources are described the
/// same way in both modes, and the few values that differ (a listener binds loopback locally, every
/// interface in a container) ask <see cref="IsPublishMode"/>.
/// </summary>
public sealed class DistributedApplicationExecutionContext(DistributedApplicationOperation operation, PublishTarget? target = null, string? outputPath = null)
{
    public DistributedApplicationOperation Operation { get; } = operation;

    public bool IsRunMode => Operation == DistributedApplicationOperation.Run;

    public bool IsPublishMode => Operation == DistributedApplicationOperation.Publish;

    /// <summary>The cloud a publish is for.</summary>
    public PublishTarget? PublishTarget { get; } = target;

    /// <summary>The folder a publish writes to.</summary>
    public string? OutputPath { get; } = outputPath;
}
