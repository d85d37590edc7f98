using Kora.Controller.Partitions;
using Kora.Controller.Tests.Quorum;

namespace Kora.Controller.Tests.Partitions;

public class LeaderRebalanceTests
{
    /// <summary>Six partitions on three brokers (two preferring each); broker <c>b</c> lost leadership of both and is back in their ISRs.</summary>
    private static (ControllerHarness H, int Broker, int[] Preferring) Imbalanced(Action<ControllerOptions> configure)
    {
        var h = new ControllerHarness(configure: o =>
        {
            o.LeaderImbalanceCheckIntervalSeconds = 1;
            configure(o);
        });
        h.BecomeLeader();
        h.RegisterBroker(1);
        h.RegisterBroker(2);
        h.RegisterBroker(3);
        h.CreateTopic("t", 6, 3);
        var broker = h.Partition().PreferredLeader;
        var preferring = h.Image.Topic("t")!.Partitions.Where(p => p.PreferredLeader == broker).Select(p => p.Index).ToArray();
        Assert.Equal(2, preferring.Length);
        h.Fence(broker);
        h.Unfence(broker);
        foreach (var index in preferring)
        {
            h.AlterIsr([.. h.Partition("t", index).Isr, broker], index: index);
            Assert.NotEqual(broker, h.Partition("t", index).Leader);
        }
        return (h, broker, preferring);
    }

    private static void CheckInterval(ControllerHarness h)
    {
        h.Now += 1000;
        h.Controller.Tick(h.Now);
        h.CommitAll();
    }

    [Fact]
    public void Leadership_returns_to_preferred_replicas_at_the_next_check()
    {
        var (h, broker, preferring) = Imbalanced(_ => { });
        h.Controller.Tick(h.Now);
        h.CommitAll();
        Assert.All(preferring, i => Assert.NotEqual(broker, h.Partition("t", i).Leader));

        CheckInterval(h);

        Assert.All(preferring, i => Assert.Equal(broker, h.Partition("t", i).Leader));
        Assert.All(h.Image.Topic("t")!.Partitions, p => Assert.Equal(p.PreferredLeader, p.Leader));
    }

    [Fact]
    public void Nothing_moves_when_rebalancing_is_off()
    {
        var (h, broker, preferring) = Imbalanced(o => o.AutoLeaderRebalanceEnable = false);
        CheckInterval(h);
        Assert.All(preferring, i => Assert.NotEqual(broker, h.Partition("t", i).Leader));
    }

    [Fact]
    public void An_imbalance_at_or_below_the_per_broker_percentage_is_tolerated()
    {
        var (h, broker, preferring) = Imbalanced(o => o.LeaderImbalancePerBrokerPercentage = 50);
        // One of the broker's two partitions back: 50% imbalance, not above the threshold.
        h.Elect(LeaderElections.Preferred, ("t", preferring[0]));
        CheckInterval(h);
        Assert.Equal(broker, h.Partition("t", preferring[0]).Leader);
        Assert.NotEqual(broker, h.Partition("t", preferring[1]).Leader);

        h.Options.LeaderImbalancePerBrokerPercentage = 49;
        CheckInterval(h);
        Assert.Equal(broker, h.Partition("t", preferring[1]).Leader);
    }
}
