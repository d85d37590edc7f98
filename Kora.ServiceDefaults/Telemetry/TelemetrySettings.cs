using OpenTelemetry.Resources;

namespace Kora.ServiceDefaults.Telemetry;

/// <summary>The service's OpenTelemetry identity and whether an OTLP endpoint is configured.</summary>
public sealed record TelemetrySettings(string ServiceName, bool ExportOtlp)
{
    /// <summary>Activity sources and meters of every Kora service share this prefix.</summary>
    public const string SourcePrefix = "Kora.*";

    public static TelemetrySettings FromEnvironment(string applicationName) => new(
        Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : applicationName,
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")));

    public ResourceBuilder Resource() => ResourceBuilder.CreateDefault().AddService(ServiceName);
}
