namespace Kora.AppHost.Hosting;

/// <summary>Whether the host runs the fleet here or writes a description of it for a deployment.</summary>
public enum DistributedApplicationOperation
{
    Run,
    Publish,
}
