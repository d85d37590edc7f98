using System.Diagnostics;
using Kora.Network;

namespace Kora.Broker.Tests.Network;

/// <summary>Counts the connections a listener started serving.</summary>
internal sealed class CountingTelemetry : IKafkaServerTelemetry
{
    private int _opened;

    public int Opened => Volatile.Read(ref _opened);

    public void ConnectionOpened() => Interlocked.Increment(ref _opened);

    public void ConnectionClosed()
    {
    }

    public void RequestReceived(short apiKey, short version, int bytes)
    {
    }

    public void ResponseSent(short apiKey, long bytes, TimeSpan elapsed)
    {
    }

    public Activity? StartRequest(short apiKey, short version, string? clientId) => null;
}
