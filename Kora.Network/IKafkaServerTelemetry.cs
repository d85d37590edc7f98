using System.Diagnostics;

namespace Kora.Network;

/// <summary>What a Kafka listener reports about its connections and requests; each service exports it on its own meter and activity source.</summary>
public interface IKafkaServerTelemetry
{
    void ConnectionOpened();

    void ConnectionClosed();

    void RequestReceived(short apiKey, short version, int bytes);

    void ResponseSent(short apiKey, long bytes, TimeSpan elapsed);

    /// <summary>A span for one request, or null when nothing traces (so an untraced server pays nothing per request).</summary>
    Activity? StartRequest(short apiKey, short version, string? clientId);
}
