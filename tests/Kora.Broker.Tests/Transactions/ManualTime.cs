namespace Kora.Broker.Tests.Transactions;

internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
    public long NowMs => Now.ToUnixTimeMilliseconds();
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(long ms) => Now = Now.AddMilliseconds(ms);
}
