namespace Kora.AppHost.Hosting.Health;

/// <summary>
/// Passes once the process writes a stdout line starting with <see cref="Prefix"/>; Kora services
/// print one (<c>KORA_BROKER_READY kafka=… http=…</c>) after their listeners are bound.
/// </summary>
public sealed record ReadyLineHealthCheckAnnotation(string Prefix) : HealthCheckAnnotation;
