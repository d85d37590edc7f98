using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Tests.Quorum;

public class BrokerLifecycleTests
{
    private static ControllerHarness Active()
    {
        var harness = new ControllerHarness();
        harness.BecomeLeader();
        return harness;
    }

    [Fact]
    public void A_broker_registers_fenced_and_is_unfenced_once_caught_up()
    {
        var h = Active();
        var registered = h.Run(c => c.RegisterBroker(new BrokerRegistrationRequestData(
            7, null, Guid.NewGuid(), [new BrokerEndpoint("PLAINTEXT", "10.0.0.7", 9092, 0)], "az-1", -1), h.Now));
        Assert.Equal(ErrorCode.None, registered.Error);
        var broker = h.Image.Brokers[7];
        Assert.True(broker.Fenced);
        Assert.Equal(registered.BrokerEpoch, broker.Epoch);
        Assert.Equal(("10.0.0.7", 9092, "az-1"), (broker.Host, broker.Port, broker.Rack));

        var behind = h.Run(c => c.Heartbeat(7, registered.BrokerEpoch, registered.BrokerEpoch - 1, false, false, h.Now));
        Assert.Equal((false, true), (behind.IsCaughtUp, behind.IsFenced));
        Assert.True(h.Image.Brokers[7].Fenced);

        var caughtUp = h.Run(c => c.Heartbeat(7, registered.BrokerEpoch, registered.BrokerEpoch, false, false, h.Now));
        Assert.Equal((true, false, false), (caughtUp.IsCaughtUp, caughtUp.IsFenced, caughtUp.ShouldShutDown));
        Assert.False(h.Image.Brokers[7].Fenced);
    }

    [Fact]
    public void Heartbeats_with_a_wrong_epoch_or_unknown_id_are_refused()
    {
        var h = Active();
        var epoch = h.RegisterBroker(1);
        Assert.Equal(ErrorCode.StaleBrokerEpoch, h.Run(c => c.Heartbeat(1, epoch + 5, 0, false, false, h.Now)).Error);
        Assert.Equal(ErrorCode.BrokerIdNotRegistered, h.Run(c => c.Heartbeat(9, 0, 0, false, false, h.Now)).Error);
    }

    [Fact]
    public void Another_incarnation_is_refused_while_the_lease_lasts_and_the_same_one_gets_its_epoch_back()
    {
        var h = Active();
        var incarnation = Guid.NewGuid();
        var endpoints = new[] { new BrokerEndpoint("PLAINTEXT", "127.0.0.1", 9092, 0) };
        var first = h.Run(c => c.RegisterBroker(new BrokerRegistrationRequestData(1, null, incarnation, endpoints, null, -1), h.Now));
        var again = h.Run(c => c.RegisterBroker(new BrokerRegistrationRequestData(1, null, incarnation, endpoints, null, -1), h.Now));
        Assert.Equal(first.BrokerEpoch, again.BrokerEpoch);

        var other = h.Run(c => c.RegisterBroker(new BrokerRegistrationRequestData(1, null, Guid.NewGuid(), endpoints, null, -1), h.Now));
        Assert.Equal(ErrorCode.DuplicateBrokerRegistration, other.Error);

        // A clean restart names its previous epoch and may register at once.
        var restarted = h.Run(c => c.RegisterBroker(new BrokerRegistrationRequestData(1, null, Guid.NewGuid(), endpoints, null, first.BrokerEpoch), h.Now));
        Assert.Equal(ErrorCode.None, restarted.Error);
        Assert.True(restarted.BrokerEpoch > first.BrokerEpoch);
    }

    [Fact]
    public void A_mismatched_cluster_id_is_refused()
    {
        var h = new ControllerHarness(configure: o => o.ClusterId = "kora-a");
        h.BecomeLeader();
        var result = h.Run(c => c.RegisterBroker(new BrokerRegistrationRequestData(
            1, "kora-b", Guid.NewGuid(), [new BrokerEndpoint("PLAINTEXT", "h", 1, 0)], null, -1), h.Now));
        Assert.Equal(ErrorCode.InconsistentClusterId, result.Error);
    }

    [Fact]
    public void A_broker_whose_lease_expires_is_fenced_and_its_leaderships_move_to_another_in_sync_replica()
    {
        var h = Active();
        h.RegisterBroker(1);
        h.RegisterBroker(2);
        h.RegisterBroker(3);
        h.CreateTopic("orders", 3, 3);
        var led = h.Image.Topic("orders")!.Partitions.Where(p => p.Leader == 2).ToList();
        Assert.NotEmpty(led);

        // Brokers 1 and 3 keep heartbeating; broker 2 goes silent.
        for (var elapsed = 0; elapsed <= 9000; elapsed += 1000)
        {
            h.Now += 1000;
            foreach (var id in new[] { 1, 3 })
            {
                h.Run(c => c.Heartbeat(id, h.Image.Brokers[id].Epoch, long.MaxValue, false, false, h.Now));
            }
            h.Controller.Tick(h.Now);
            h.CommitAll();
        }

        Assert.True(h.Image.Brokers[2].Fenced);
        Assert.False(h.Image.Brokers[1].Fenced);
        foreach (var before in led)
        {
            var after = h.Image.Topic("orders")!.Partitions[before.Index];
            Assert.NotEqual(2, after.Leader);
            Assert.Contains(after.Leader, new[] { 1, 3 });
            Assert.DoesNotContain(2, after.Isr);
            Assert.Equal(before.LeaderEpoch + 1, after.LeaderEpoch);
        }
        Assert.All(h.Image.Topic("orders")!.Partitions, p => Assert.DoesNotContain(2, p.Isr));
    }

    [Fact]
    public void With_one_replica_a_fenced_brokers_partitions_go_offline_and_return_when_it_is_unfenced()
    {
        var h = Active();
        var epoch = h.RegisterBroker(1);
        h.CreateTopic("solo", 2, 1);
        h.Now += 9001;
        h.Controller.Tick(h.Now);
        h.CommitAll();

        Assert.True(h.Image.Brokers[1].Fenced);
        Assert.All(h.Image.Topic("solo")!.Partitions, p =>
        {
            Assert.Equal(PartitionLeadership.NoLeader, p.Leader);
            Assert.Equal([1], p.Isr);
        });

        var back = h.Run(c => c.Heartbeat(1, epoch, long.MaxValue, false, false, h.Now));
        Assert.False(back.IsFenced);
        Assert.All(h.Image.Topic("solo")!.Partitions, p => Assert.Equal(1, p.Leader));
    }

    [Fact]
    public void Controlled_shutdown_moves_leadership_away_before_the_broker_is_told_to_stop()
    {
        var h = Active();
        h.RegisterBroker(1);
        var epoch2 = h.RegisterBroker(2);
        h.CreateTopic("shared", 4, 2);
        Assert.Contains(h.Image.Topic("shared")!.Partitions, p => p.Leader == 2);

        var answer = h.Run(c => c.Heartbeat(2, epoch2, long.MaxValue, false, true, h.Now));

        Assert.True(answer.ShouldShutDown);
        Assert.True(h.Image.Brokers[2].Fenced);
        Assert.True(h.Image.Brokers[2].InControlledShutdown);
        Assert.All(h.Image.Topic("shared")!.Partitions, p =>
        {
            Assert.Equal(1, p.Leader);
            Assert.Equal([1], p.Isr);
        });
    }

    [Fact]
    public void Producer_id_blocks_never_overlap_and_need_the_current_broker_epoch()
    {
        var h = Active();
        var epoch = h.RegisterBroker(1);
        var first = h.Run(c => c.AllocateProducerIds(1, epoch));
        var second = h.Run(c => c.AllocateProducerIds(1, epoch));
        Assert.Equal((0L, QuorumController.ProducerIdBlockSize), (first.Start, first.Length));
        Assert.Equal(first.Start + first.Length, second.Start);
        Assert.Equal(ErrorCode.StaleBrokerEpoch, h.Run(c => c.AllocateProducerIds(1, epoch - 1)).Error);
    }

    [Fact]
    public void A_new_active_controller_grants_every_broker_a_fresh_lease()
    {
        var h = Active();
        h.RegisterBroker(1);
        h.Now += 8000;
        h.LoseLeadership(2);
        h.Now += 500;
        h.BecomeLeader();
        h.Now += 8000;
        h.Controller.Tick(h.Now);
        h.CommitAll();
        Assert.False(h.Image.Brokers[1].Fenced);
    }
}
