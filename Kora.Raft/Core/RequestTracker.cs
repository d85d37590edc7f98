namespace Kora.Raft.Core;

/// <summary>
/// At most one request in flight per destination (Kafka's RequestManager): a response is handled only
/// when it answers that request, so duplicated, late or replayed responses are ignored. A request
/// that times out or fails frees the destination after a retry backoff.
/// </summary>
internal sealed class RequestTracker(int requestTimeoutMs, int retryBackoffMs)
{
    private readonly Dictionary<int, InFlightRequest> _inFlight = [];
    private readonly Dictionary<int, long> _backoffUntil = [];

    public bool IsReady(int destination, long now) =>
        !_inFlight.ContainsKey(destination) && (!_backoffUntil.TryGetValue(destination, out var until) || now >= until);

    public bool HasInFlight(int destination) => _inFlight.ContainsKey(destination);

    public void OnSent(int destination, InFlightRequest request) => _inFlight[destination] = request;

    public bool TryComplete(int source, int correlationId, out InFlightRequest request)
    {
        if (_inFlight.TryGetValue(source, out request) && request.CorrelationId == correlationId)
        {
            _inFlight.Remove(source);
            return true;
        }
        return false;
    }

    public void BackOff(int destination, long now) => _backoffUntil[destination] = now + retryBackoffMs;

    public void ExpireTimedOut(long now)
    {
        List<int>? expired = null;
        foreach (var (destination, request) in _inFlight)
        {
            if (now - request.SentAt >= requestTimeoutMs)
            {
                (expired ??= []).Add(destination);
            }
        }
        if (expired is null)
        {
            return;
        }
        foreach (var destination in expired)
        {
            _inFlight.Remove(destination);
            BackOff(destination, now);
        }
    }

    /// <summary>The earliest time a tracked request times out or a backoff ends.</summary>
    public long NextDeadline()
    {
        var next = long.MaxValue;
        foreach (var request in _inFlight.Values)
        {
            next = Math.Min(next, request.SentAt + requestTimeoutMs);
        }
        foreach (var until in _backoffUntil.Values)
        {
            next = Math.Min(next, until);
        }
        return next;
    }

    /// <summary>Forgets every request: replies to anything sent in an earlier state are not expected any more.</summary>
    public void Reset()
    {
        _inFlight.Clear();
        _backoffUntil.Clear();
    }
}
