using Kora.ServiceDefaults.Metrics;
using Kora.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Logs;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Kora service shares: OpenTelemetry traces, metrics and logs (exported over OTLP when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set), health checks, and the /health, /alive and /metrics endpoints.
/// </summary>
public static class ServiceDefaultsExtensions
{
    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddSingleton<PrometheusCollector>();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var settings = TelemetrySettings.FromEnvironment(builder.Environment.ApplicationName);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.SetResourceBuilder(settings.Resource());
            if (settings.ExportOtlp)
            {
                logging.AddOtlpExporter();
            }
        });
        builder.Services.AddSingleton(settings);
        builder.Services.AddHostedService<TelemetryProviders>();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        // Created now, not on the first scrape, so it sees every measurement from start-up on.
        var collector = app.Services.GetRequiredService<PrometheusCollector>();
        app.MapGet("/metrics", () => Results.Text(collector.Scrape(), "text/plain; version=0.0.4"));
        return app;
    }
}
