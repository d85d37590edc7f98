using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Kora.ServiceDefaults.Telemetry;

/// <summary>
/// Builds the tracer and meter providers when the host starts and disposes them (flushing exports)
/// when it stops: the hosting integration package that usually does this does not restore here.
/// </summary>
internal sealed class TelemetryProviders(TelemetrySettings settings) : IHostedService, IDisposable
{
    private TracerProvider? _tracing;
    private MeterProvider? _metrics;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(settings.Resource())
            .AddSource(TelemetrySettings.SourcePrefix);
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(settings.Resource())
            .AddMeter(TelemetrySettings.SourcePrefix, "System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
        if (settings.ExportOtlp)
        {
            tracing.AddOtlpExporter();
            metrics.AddOtlpExporter();
        }
        _tracing = tracing.Build();
        _metrics = metrics.Build();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _tracing?.ForceFlush(2000);
        _metrics?.ForceFlush(2000);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _tracing?.Dispose();
        _metrics?.Dispose();
    }
}
