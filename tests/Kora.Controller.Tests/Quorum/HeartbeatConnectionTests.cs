using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Protocol.MetadataRecords;

namespace Kora.Controller.Tests.Quorum;

/// <summary>
/// The active controller fences a broker soon after the connection carrying its heartbeats closes, unless it
/// heartbeats again on another connection within the grace, is shutting down in a controlled way, or the
/// connection was seen by another term of the controller.
/// </summary>
public class HeartbeatConnectionTests
{
    private const int GraceMs = 500;

    private static ControllerHarness ThreeBrokers()
    {
        var h = new ControllerHarness(configure: o => o.BrokerConnectionCloseGraceMs = GraceMs);
        h.BecomeLeader();
        h.RegisterBroker(1);
        h.RegisterBroker(2);
        h.RegisterBroker(3);
        h.CreateTopic("orders", 3, 3);
        return h;
    }

    private static void Heartbeat(ControllerHarness h, int brokerId, object connection, bool wantShutDown = false) =>
        h.Run(c => c.Heartbeat(brokerId, h.Image.Brokers[brokerId].Epoch, long.MaxValue, false, wantShutDown, h.Now, connection));

    private static void Advance(ControllerHarness h, int ms)
    {
        h.Now += ms;
        h.Controller.Tick(h.Now);
        h.CommitAll();
    }

    [Fact]
    public void A_closed_heartbeat_connection_fences_the_broker_after_the_grace_and_moves_its_leaderships()
    {
        var h = ThreeBrokers();
        var led = h.Image.Topic("orders")!.Partitions.Where(p => p.Leader == 2).ToList();
        Assert.NotEmpty(led);
        var connection = new object();
        Heartbeat(h, 2, connection);

        h.Controller.HeartbeatConnectionClosed(connection, h.Now);
        Advance(h, GraceMs - 1);
        Assert.False(h.Image.Brokers[2].Fenced);
        Advance(h, 1);

        Assert.True(h.Image.Brokers[2].Fenced);
        foreach (var before in led)
        {
            var after = h.Image.Topic("orders")!.Partitions[before.Index];
            Assert.Contains(after.Leader, new[] { 1, 3 });
            Assert.DoesNotContain(2, after.Isr);
            Assert.Equal(before.LeaderEpoch + 1, after.LeaderEpoch);
        }
        Assert.False(h.Image.Brokers[1].Fenced);
        Assert.False(h.Image.Brokers[3].Fenced);
    }

    [Fact]
    public void The_next_tick_comes_when_the_grace_runs_out()
    {
        var h = ThreeBrokers();
        var connection = new object();
        Heartbeat(h, 2, connection);
        h.Controller.HeartbeatConnectionClosed(connection, h.Now);
        Assert.Equal(h.Now + GraceMs, h.Controller.Tick(h.Now));
    }

    [Fact]
    public void A_broker_that_heartbeats_on_a_new_connection_within_the_grace_is_not_fenced()
    {
        var h = ThreeBrokers();
        var first = new object();
        Heartbeat(h, 2, first);
        h.Controller.HeartbeatConnectionClosed(first, h.Now);
        Advance(h, GraceMs / 2);
        Heartbeat(h, 2, new object());

        Advance(h, GraceMs * 4);
        Assert.False(h.Image.Brokers[2].Fenced);
        // The old connection closing again (or late) changes nothing either.
        h.Controller.HeartbeatConnectionClosed(first, h.Now);
        Advance(h, GraceMs * 4);
        Assert.False(h.Image.Brokers[2].Fenced);
    }

    [Fact]
    public void Only_the_connection_carrying_the_latest_heartbeats_counts()
    {
        var h = ThreeBrokers();
        var old = new object();
        Heartbeat(h, 2, old);
        Heartbeat(h, 2, new object());
        h.Controller.HeartbeatConnectionClosed(old, h.Now);
        Advance(h, GraceMs * 4);
        Assert.False(h.Image.Brokers[2].Fenced);
    }

    [Fact]
    public void A_broker_in_controlled_shutdown_is_not_fenced_when_its_connection_closes()
    {
        var h = ThreeBrokers();
        var connection = new object();
        Heartbeat(h, 2, connection);
        // Half way through a controlled shutdown: marked, leaderships still to move.
        h.Run(c => c.Write(image => new MetadataDecision<bool>(
            [new BrokerRegistrationChangeRecord { BrokerId = 2, BrokerEpoch = image.Brokers[2].Epoch, InControlledShutdown = 1 }], true)));
        Assert.True(h.Image.Brokers[2].InControlledShutdown);
        Assert.False(h.Image.Brokers[2].Fenced);

        h.Controller.HeartbeatConnectionClosed(connection, h.Now);
        Advance(h, GraceMs * 4);
        Assert.False(h.Image.Brokers[2].Fenced);
    }

    [Fact]
    public void A_controller_that_is_not_active_fences_nobody_when_connections_close()
    {
        var h = ThreeBrokers();
        var connection = new object();
        Heartbeat(h, 2, connection);
        h.LoseLeadership(2);
        h.Controller.HeartbeatConnectionClosed(connection, h.Now);
        h.Now += GraceMs * 4;
        h.Controller.Tick(h.Now);
        h.BecomeLeader();
        Advance(h, GraceMs * 4);
        Assert.False(h.Image.Brokers[2].Fenced);
    }

    [Fact]
    public void Connections_seen_in_an_earlier_term_do_not_count_after_a_controller_failover()
    {
        var h = ThreeBrokers();
        var connection = new object();
        Heartbeat(h, 2, connection);
        h.LoseLeadership(2);
        h.BecomeLeader();

        h.Controller.HeartbeatConnectionClosed(connection, h.Now);
        Advance(h, GraceMs * 4);
        Assert.False(h.Image.Brokers[2].Fenced);
    }

    [Fact]
    public void A_broker_fenced_because_its_connection_closed_unfences_on_its_next_heartbeat()
    {
        var h = ThreeBrokers();
        var connection = new object();
        Heartbeat(h, 2, connection);
        h.Controller.HeartbeatConnectionClosed(connection, h.Now);
        Advance(h, GraceMs);
        Assert.True(h.Image.Brokers[2].Fenced);

        Heartbeat(h, 2, new object());
        Assert.False(h.Image.Brokers[2].Fenced);
    }

    [Fact]
    public void A_grace_of_zero_leaves_fencing_to_the_lease()
    {
        var h = new ControllerHarness(configure: o => o.BrokerConnectionCloseGraceMs = 0);
        h.BecomeLeader();
        h.RegisterBroker(1);
        var connection = new object();
        Heartbeat(h, 1, connection);
        h.Controller.HeartbeatConnectionClosed(connection, h.Now);
        Advance(h, 1000);
        Assert.False(h.Image.Brokers[1].Fenced);
    }

    [Fact]
    public void A_new_registration_of_the_broker_is_not_fenced_for_the_old_ones_connection()
    {
        var h = ThreeBrokers();
        var connection = new object();
        Heartbeat(h, 2, connection);
        var previous = h.Image.Brokers[2].Epoch;
        var restarted = h.Run(c => c.RegisterBroker(new BrokerRegistrationRequestData(
            2, null, Guid.NewGuid(), [new BrokerEndpoint("PLAINTEXT", "127.0.0.1", 9002, 0)], null, previous), h.Now));
        // The new incarnation's heartbeats come on a connection this controller does not watch.
        h.Run(c => c.Heartbeat(2, restarted.BrokerEpoch, long.MaxValue, false, false, h.Now));
        Assert.False(h.Image.Brokers[2].Fenced);
        Assert.True(restarted.BrokerEpoch > previous);

        h.Controller.HeartbeatConnectionClosed(connection, h.Now);
        Advance(h, GraceMs * 4);
        Assert.False(h.Image.Brokers[2].Fenced);
    }
}
