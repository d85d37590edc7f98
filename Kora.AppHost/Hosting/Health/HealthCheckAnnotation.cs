namespace Kora.AppHost.Hosting.Health;

/// <summary>
/// How the host tells that a resource's process is ready to serve. A resource is healthy once every
/// one of its checks has passed; one with no checks is healthy as soon as its process runs.
/// </summary>
public abstract record HealthCheckAnnotation;
