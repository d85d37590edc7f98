using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kora.Network;

namespace Kora.Controller;

/// <summary>The controller's Kafka listener instruments on the <c>Kora.Controller</c> meter, and a span per request.</summary>
public sealed class ControllerTelemetry : IKafkaServerTelemetry, IDisposable
{
    public const string Name = "Kora.Controller";
    private static readonly ActivitySource Source = new(Name);
    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly Histogram<double> _latency;
    private readonly UpDownCounter<long> _connections;

    public ControllerTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _requests = _meter.CreateCounter<long>("kora.controller.requests", "{request}", "Requests received, by API key.");
        _bytesIn = _meter.CreateCounter<long>("kora.controller.network.bytes_in", "By", "Request bytes read.");
        _bytesOut = _meter.CreateCounter<long>("kora.controller.network.bytes_out", "By", "Response bytes written.");
        _latency = _meter.CreateHistogram<double>("kora.controller.request.duration", "ms", "Time from a request's arrival to its response being written, by API key.");
        _connections = _meter.CreateUpDownCounter<long>("kora.controller.connections", "{connection}", "Open connections.");
    }

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void RequestReceived(short apiKey, short version, int bytes)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("api_key", apiKey));
        _bytesIn.Add(bytes);
    }

    public void ResponseSent(short apiKey, long bytes, TimeSpan elapsed)
    {
        if (bytes > 0)
        {
            _bytesOut.Add(bytes);
        }
        _latency.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("api_key", apiKey));
    }

    public Activity? StartRequest(short apiKey, short version, string? clientId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var previous = Activity.Current;
        var activity = Source.StartActivity("kafka.request " + apiKey.ToString(System.Globalization.CultureInfo.InvariantCulture), ActivityKind.Server);
        Activity.Current = previous;
        activity?.SetTag("kafka.api_version", version);
        activity?.SetTag("kafka.client_id", clientId);
        return activity;
    }

    public void Dispose() => _meter.Dispose();
}
