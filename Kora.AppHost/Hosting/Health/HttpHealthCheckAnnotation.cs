namespace Kora.AppHost.Hosting.Health;

/// <summary>Passes once a GET of <see cref="Path"/> on the resource's <see cref="EndpointName"/> endpoint answers <see cref="StatusCode"/>.</summary>
public sealed record HttpHealthCheckAnnotation(string Path, string EndpointName, int StatusCode) : HealthCheckAnnotation;
