using Kora.Broker.Partitions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>The invariants checked after every step, and the healing phase that must converge.</summary>
internal sealed partial class ReplicationSimulation
{
    private const int HealRounds = 400;
    private const int HealRoundMs = 50;

    private void CheckInvariants()
    {
        var image = _controller.Partition;
        // 4. The ISR is never empty, and it holds the leader, in the metadata and on the leader.
        Require(image.Isr.Length >= 1, "the metadata ISR is empty");
        Require(image.Leader < 0 || image.Isr.Contains(image.Leader), $"the metadata leader {image.Leader} is not in its ISR");
        foreach (var broker in _brokers)
        {
            if (broker.Partition is not { } partition)
            {
                continue;
            }
            var log = partition.Log;
            // 2. A replica's high watermark is within its log; a leader's never goes back within its epoch.
            Require(log.HighWatermark <= log.LogEndOffset, $"broker {broker.Id}: high watermark {log.HighWatermark} above log end {log.LogEndOffset}");
            if (partition.IsLeader)
            {
                Require(partition.Isr.Contains(broker.Id), $"leader {broker.Id} is not in its own ISR [{string.Join(',', partition.Isr)}]");
                var epoch = partition.LeaderEpoch;
                if (_leaderHighWatermarks.TryGetValue(broker.Id, out var last) && last.Epoch == epoch)
                {
                    Require(log.HighWatermark >= last.HighWatermark, $"leader {broker.Id} high watermark went back from {last.HighWatermark} to {log.HighWatermark} in epoch {epoch}");
                }
                _leaderHighWatermarks[broker.Id] = (epoch, log.HighWatermark);
            }
        }
        if (CurrentLeader() is not { } leader)
        {
            return;
        }
        // 1. Every acknowledged produce is in the current leader's log, at its offset, unchanged.
        var leaderBatches = leader.Batches();
        var byOffset = leaderBatches.ToDictionary(b => b.BaseOffset);
        foreach (var acked in _acked)
        {
            Require(byOffset.TryGetValue(acked.Offset, out var batch) && batch.Crc == acked.Crc,
                $"acknowledged produce {acked.Value} at {acked.Offset} (by {acked.Leader} in epoch {acked.LeaderEpoch}) is not in leader {leader.Id}'s log");
        }
        // 3. Below the smallest high watermark of the live ISR members, their logs are the same batches.
        var members = leader.Partition!.Isr.Select(Broker).Where(b => b.Alive).ToArray();
        var smallest = members.Min(b => b.Partition!.Log.HighWatermark);
        var reference = leaderBatches.Where(b => b.BaseOffset < smallest).ToList();
        foreach (var member in members)
        {
            if (member == leader)
            {
                continue;
            }
            var theirs = member.Batches().Where(b => b.BaseOffset < smallest).ToList();
            Require(theirs.SequenceEqual(reference),
                $"ISR member {member.Id} differs from leader {leader.Id} below high watermark {smallest}: {Diff(reference, theirs)}");
        }
    }

    /// <summary>The broker the metadata names as leader, when it runs and leads in that epoch.</summary>
    private SimBroker? CurrentLeader()
    {
        var image = _controller.Partition;
        return image.Leader >= 0 && Broker(image.Leader) is { Partition: { IsLeader: true } partition } broker && partition.LeaderEpoch == image.LeaderEpoch
            ? broker
            : null;
    }

    /// <summary>
    /// 4. An acknowledged acks=all produce was acknowledged by a leader whose ISR had min.insync.replicas members,
    /// and at least that many replicas hold it.
    /// </summary>
    private void CheckAcknowledged(AckedProduce acked, Partition partition)
    {
        Require(partition.Isr.Length >= MinInsync, $"produce {acked.Value} acknowledged with ISR [{string.Join(',', partition.Isr)}]");
        var copies = _brokers.Count(b => b.Batches().Any(batch => batch.BaseOffset == acked.Offset && batch.Crc == acked.Crc));
        Require(copies >= MinInsync, $"produce {acked.Value} at {acked.Offset} acknowledged with {copies} copies");
    }

    /// <summary>
    /// 5. No more faults: every broker runs, learns the metadata, fetches each round; within a bounded simulated
    /// time all three are in the ISR with identical logs holding every acknowledged produce, and a new produce
    /// is acknowledged.
    /// </summary>
    private void Heal()
    {
        _step = -1;
        Record("heal: no more faults");
        while (_brokers.Any(b => !b.Alive))
        {
            Restart();
        }
        foreach (var id in _toFence.ToArray())
        {
            FenceOne();
        }
        while (_toUnfence.Count > 0)
        {
            UnfenceOne();
        }
        _inFlight.Clear();
        var converged = false;
        for (var round = 0; round < HealRounds && !converged; round++)
        {
            HealRound();
            converged = Converged();
        }
        Require(converged, $"not converged after {HealRounds * HealRoundMs} ms: {SimController.Describe(_controller.Partition)}");
        var before = _acked.Count;
        Produce();
        for (var round = 0; round < HealRounds && _acked.Count == before; round++)
        {
            HealRound();
        }
        Require(_acked.Count > before, "a produce after healing was not acknowledged");
        for (var round = 0; round < 3; round++)
        {
            HealRound();
        }
        var logs = _brokers.Select(b => b.Batches()).ToArray();
        Require(logs.All(l => l.SequenceEqual(logs[0])), "after healing the replicas' logs differ");
        foreach (var broker in _brokers)
        {
            var batches = broker.Batches().ToDictionary(b => b.BaseOffset);
            foreach (var acked in _acked)
            {
                Require(batches.TryGetValue(acked.Offset, out var batch) && batch.Crc == acked.Crc, $"after healing broker {broker.Id} lacks acknowledged produce {acked.Value} at {acked.Offset}");
            }
        }
    }

    private void HealRound()
    {
        _clock.Advance(HealRoundMs);
        foreach (var broker in _brokers)
        {
            Deliver(broker);
        }
        foreach (var broker in _brokers)
        {
            Fetch(broker, mayFail: false);
        }
        while (_isrChanges.Count > 0)
        {
            DecideIsrChange(mayLoseAnswer: false);
        }
        foreach (var broker in _brokers)
        {
            Deliver(broker);
        }
        CheckLag();
        AfterStep();
    }

    private bool Converged()
    {
        if (CurrentLeader() is not { } leader || _controller.Partition.Isr.Length != _brokers.Length || leader.Partition!.Isr.Length != _brokers.Length)
        {
            return false;
        }
        var reference = leader.Batches();
        return _brokers.All(b => b.Batches().SequenceEqual(reference));
    }

    private void Require(bool condition, string invariant)
    {
        if (!condition)
        {
            var tail = string.Join('\n', _trace.TakeLast(60));
            throw new ReplicationSimulationFailure($"seed {_seed}: {invariant}\n(replay with KORA_REPLICATION_SEED={_seed})\n{tail}");
        }
    }

    private static string Diff(List<LoggedBatch> expected, List<LoggedBatch> actual)
    {
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var e = i < expected.Count ? expected[i].ToString() : "none";
            var a = i < actual.Count ? actual[i].ToString() : "none";
            if (e != a)
            {
                return $"batch {i}: leader {e}, member {a}";
            }
        }
        return "same";
    }
}
