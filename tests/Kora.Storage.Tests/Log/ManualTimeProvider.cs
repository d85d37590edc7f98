namespace Kora.Storage.Tests.Log;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider(long startMs) : TimeProvider
{
    private long _nowMs = startMs;

    public long NowMs => Interlocked.Read(ref _nowMs);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

    public void Advance(long ms) => Interlocked.Add(ref _nowMs, ms);
}
