using System.Diagnostics;

namespace Kora.Broker.Telemetry;

/// <summary>Traces one span per Kafka request, from arrival to the response being written.</summary>
public static class BrokerActivitySource
{
    public const string Name = "Kora.Broker";

    public static ActivitySource Source { get; } = new(Name);

    /// <summary>Null unless a tracer listens, so an untraced broker pays nothing per request.</summary>
    public static Activity? StartRequest(short apiKey, short version, string? clientId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var previous = Activity.Current;
        var activity = Source.StartActivity(BrokerMetrics.ApiName(apiKey), ActivityKind.Server);
        // Requests on one connection are siblings, not children of each other: the reader loop keeps going.
        Activity.Current = previous;
        activity?.SetTag("messaging.system", "kafka");
        activity?.SetTag("kafka.api_version", version);
        activity?.SetTag("kafka.client_id", clientId);
        return activity;
    }
}
