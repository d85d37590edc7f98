namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>Simulated time: moves only when the schedule advances it.</summary>
internal sealed class SimClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);

    public long NowMs => _now.ToUnixTimeMilliseconds();

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(long ms) => _now = _now.AddMilliseconds(ms);
}
