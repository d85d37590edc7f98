using System.Buffers.Binary;
using System.Globalization;
using Kora.Broker.Replication;
using Kora.Broker.Replication.Sessions;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>
/// One partition on brokers 1, 2 and 3 (min.insync.replicas=2) driven by a seeded schedule through the code the
/// brokers run: Partition's leader state and acks=all waiters, the leader's read for a follower, the follower's
/// application of the answer, real PartitionLogs on disk, and the controller's real decisions. Every step is one
/// discrete event (produce, fetch round, dropped or delayed answer, metadata delivery, AlterPartition, lag, crash,
/// fence, restart, unfence, preferred election); the invariants are checked after each, then the cluster heals
/// and must converge.
/// </summary>
internal sealed partial class ReplicationSimulation : IDisposable
{
    public const int MinInsync = 2;
    private const long LagMs = 10_000;
    private const long ProduceTimeoutMs = 30_000;
    private const int FetchMaxBytes = 1 << 20;
    private static readonly int[] BrokerIds = [1, 2, 3];

    private readonly int _seed;
    private readonly Random _random;
    private readonly SimClock _clock = new();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kora-replsim-");
    private readonly SimController _controller;
    private readonly SimBroker[] _brokers;
    private readonly List<string> _trace = [];
    private readonly List<PendingProduce> _pending = [];
    private readonly List<AckedProduce> _acked = [];
    private readonly List<InFlightFetch> _inFlight = [];
    private readonly List<PendingIsrChange> _isrChanges = [];
    private readonly SortedSet<int> _toFence = [];
    private readonly SortedSet<int> _toUnfence = [];
    private readonly Dictionary<int, (int Epoch, long HighWatermark)> _leaderHighWatermarks = [];
    private int _step;
    private int _nextValue;

    public ReplicationSimulation(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        var topicId = new Guid(seed, 7, 7, [1, 2, 3, 4, 5, 6, 7, 8]);
        _controller = new SimController(topicId, BrokerIds);
        var config = new LogConfig { MinInsyncReplicas = MinInsync };
        _brokers = [.. BrokerIds.Select(id => new SimBroker(id, Path.Combine(_dir.FullName, $"broker-{id}", "sim-0"), topicId, config, _clock))];
    }

    public IReadOnlyList<string> Trace => _trace;

    public int Acknowledged => _acked.Count;

    public int Crashes { get; private set; }

    public int LeaderChanges { get; private set; }

    private long NowMs => _clock.NowMs;

    private SimBroker Broker(int id) => _brokers[id - 1];

    public void Run(int steps)
    {
        foreach (var broker in _brokers)
        {
            broker.Start();
            broker.Epoch = _controller.BrokerEpoch(broker.Id);
            broker.Apply(_controller.Image, NowMs);
        }
        Record($"start: {SimController.Describe(_controller.Partition)}");
        for (_step = 0; _step < steps; _step++)
        {
            _clock.Advance(_random.Next(0, 40));
            Step(_random.Next(100));
            AfterStep();
        }
        Heal();
    }

    private void Step(int roll)
    {
        switch (roll)
        {
            case < 22: Produce(); break;
            case < 50: Fetch(RandomAlive(), mayFail: true); break;
            case < 56: DeliverHeldFetch(); break;
            case < 66: Deliver(RandomAlive()); break;
            case < 74: DecideIsrChange(mayLoseAnswer: true); break;
            case < 79: CheckLag(); break;
            case < 81: _clock.Advance(LagMs + _random.Next(1, 2_000)); Record("time passes replica.lag.time.max.ms"); CheckLag(); break;
            case < 83: Crash(); break;
            case < 87: FenceOne(); break;
            case < 90: Restart(); break;
            case < 93: UnfenceOne(); break;
            case < 95: ElectPreferred(); break;
            case < 97: Checkpoint(); break;
            default: _clock.Advance(_random.Next(1_000, 5_000)); break;
        }
    }

    private SimBroker? RandomAlive()
    {
        var alive = _brokers.Where(b => b.Alive).ToArray();
        return alive.Length == 0 ? null : alive[_random.Next(alive.Length)];
    }

    /// <summary>A client's acks=all produce of one small record to the leader the metadata names, as ProduceHandler runs it.</summary>
    private void Produce()
    {
        var leaderId = _controller.Partition.Leader;
        if (leaderId < 0 || Broker(leaderId).Partition is not { } partition)
        {
            Record($"produce: no live leader ({leaderId})");
            return;
        }
        if (!partition.IsLeader)
        {
            Record($"produce to {leaderId}: NOT_LEADER_OR_FOLLOWER");
            return;
        }
        if (partition.Isr.Length < partition.Config.MinInsyncReplicas)
        {
            Record($"produce to {leaderId}: NOT_ENOUGH_REPLICAS isr=[{string.Join(',', partition.Isr)}]");
            return;
        }
        var value = _nextValue++;
        var batch = new RecordBatchBuilder(NowMs).Add([], System.Text.Encoding.ASCII.GetBytes("value-" + value.ToString(CultureInfo.InvariantCulture)), NowMs, nullKey: true).Build();
        var appended = partition.Append(batch, NowMs);
        if (appended.Error != ErrorCode.None)
        {
            Record($"produce {value} to {leaderId}: {appended.Error}");
            return;
        }
        var crc = BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(RecordBatch.CrcOffset));
        var waiter = partition.AwaitReplication(appended.LastOffset + 1, out var decided);
        Record($"produce {value} to {leaderId}: offset {appended.BaseOffset} epoch {partition.LeaderEpoch}");
        if (waiter is null)
        {
            Complete(value, appended.BaseOffset, crc, leaderId, partition, decided);
            return;
        }
        _pending.Add(new PendingProduce(value, appended.BaseOffset, crc, leaderId, partition.LeaderEpoch, partition, waiter, NowMs + ProduceTimeoutMs));
    }

    /// <summary>A follower's fetch round: the request the fetcher builds, the leader's read, the answer applied (or lost, or held back).</summary>
    private void Fetch(SimBroker? follower, bool mayFail)
    {
        if (follower?.Following is not { } state || follower.Partition is not { } partition || _inFlight.Any(f => f.Follower == follower))
        {
            // A fetcher has one request in flight: it waits for the answer (or the connection's timeout) before the next.
            return;
        }
        // A small replica.fetch.max.bytes (a few batches) makes a lagging follower catch up over several rounds.
        var ask = ReplicaFetcher.Describe(partition, state.LeaderEpoch, mayFail ? _random.Next(64, 640) : FetchMaxBytes);
        if (mayFail && _random.Next(100) < 6)
        {
            Record($"fetch {follower.Id}->{state.Leader} at {ask.FetchOffset}: request lost");
            return;
        }
        var leader = Broker(state.Leader);
        if (leader.Partition is not { } led)
        {
            Record($"fetch {follower.Id}->{state.Leader}: leader down");
            return;
        }
        var data = LeaderAnswer(leader, follower.Id, follower.Epoch, ask, led);
        var roll = mayFail ? _random.Next(100) : 100;
        if (roll < 6)
        {
            Record($"fetch {follower.Id}->{state.Leader} at {ask.FetchOffset}: answer lost");
        }
        else if (roll < 16)
        {
            Record($"fetch {follower.Id}->{state.Leader} at {ask.FetchOffset}: answer delayed");
            _inFlight.Add(new InFlightFetch(follower, state, leader.Id, data));
        }
        else
        {
            ApplyAnswer(follower, state, data, ask.FetchOffset);
        }
    }

    /// <summary>FetchHandler.ReadAll for a follower's partition, then the answer's records copied as the wire would.</summary>
    private FetchResponse.PartitionData LeaderAnswer(SimBroker leader, int followerId, long followerEpoch, ReplicaFetchPartition ask, Kora.Broker.Partitions.Partition partition)
    {
        var log = partition.Log;
        var data = new FetchResponse.PartitionData
        {
            PartitionIndex = 0,
            HighWatermark = log.HighWatermark,
            LastStableOffset = Math.Min(log.LastStableOffset, log.HighWatermark),
            LogStartOffset = log.LogStartOffset,
            Records = RecordsData.Empty,
        };
        if (LeaderReplicaRead.CheckLeaderEpoch(partition, ask.CurrentLeaderEpoch) is var epochError and not ErrorCode.None)
        {
            data.ErrorCode = (short)epochError;
            return data;
        }
        LeaderReplicaRead.Read(partition, ask.FetchOffset, ask.LastFetchedEpoch, ask.MaxBytes, followerId, followerEpoch,
            data, FetchMaxBytes, first: true, NowMs, quota: null, out var expansion);
        if (expansion is not null)
        {
            Record($"leader {leader.Id} proposes ISR [{string.Join(',', expansion.NewIsr)}] (expand)");
            _isrChanges.Add(new PendingIsrChange(leader.Id, leader.Epoch, partition, expansion));
        }
        if (data.Records?.Source is { } source)
        {
            var bytes = new byte[source.Length];
            source.CopyTo(0, bytes);
            data.Records = new RecordsData(bytes);
        }
        ObserveProduces();
        return data;
    }

    private void ApplyAnswer(SimBroker follower, FollowState state, FetchResponse.PartitionData data, long fetchOffset)
    {
        if (follower.Partition is not { } partition || !ReferenceEquals(follower.Following, state))
        {
            Record($"fetch answer to {follower.Id} from {state.Leader} dropped: no longer current");
            return;
        }
        var log = partition.Log;
        var outcome = FollowerFetchApplier.Apply(partition, data, NowMs, NullLogger.Instance, out var bytes);
        var diverging = data.DivergingEpoch is { } d ? $" diverging=({d.Epoch},{d.EndOffset})" : "";
        Record($"fetch {follower.Id}->{state.Leader} at {fetchOffset}: {(ErrorCode)data.ErrorCode}{diverging} {bytes}B -> {outcome} leo={log.LogEndOffset} hw={log.HighWatermark}");
    }

    private void DeliverHeldFetch()
    {
        if (_inFlight.Count == 0)
        {
            return;
        }
        var held = _inFlight[_random.Next(_inFlight.Count)];
        _inFlight.Remove(held);
        if (_random.Next(4) == 0)
        {
            Record($"fetch {held.Follower.Id}->{held.Leader}: timed out, the connection is dropped");
            return;
        }
        ApplyAnswer(held.Follower, held.State, held.Data, -1);
    }

    /// <summary>The broker applies the latest metadata it has not seen yet.</summary>
    private void Deliver(SimBroker? broker)
    {
        if (broker is not { Alive: true } || broker.SeenOffset >= _controller.Image.Offset)
        {
            return;
        }
        broker.Apply(_controller.Image, NowMs);
        Record($"broker {broker.Id} applies metadata: {SimController.Describe(_controller.Partition)}");
        ObserveProduces();
    }

    /// <summary>After a controller change: the brokers may learn it now, or later by a delivery step.</summary>
    private void Publish()
    {
        if (_random.Next(3) == 0)
        {
            foreach (var broker in _brokers)
            {
                Deliver(broker);
            }
        }
    }

    /// <summary>The controller decides the oldest AlterPartition; its answer reaches the leader unless lost (then the sender gives up on it).</summary>
    private void DecideIsrChange(bool mayLoseAnswer)
    {
        if (_isrChanges.Count == 0)
        {
            return;
        }
        var sent = _isrChanges[0];
        _isrChanges.RemoveAt(0);
        var change = sent.Change;
        var live = Broker(sent.BrokerId).Partition == sent.Partition;
        if (mayLoseAnswer && _random.Next(100) < 4)
        {
            Record($"AlterPartition from {sent.BrokerId} [{string.Join(',', change.NewIsr)}] lost before the controller");
            if (live)
            {
                Answer(sent, ErrorCode.RequestTimedOut, null);
            }
            return;
        }
        var request = new AlterPartitionRequest
        {
            BrokerId = sent.BrokerId,
            BrokerEpoch = sent.BrokerEpoch,
            Topics =
            [
                new AlterPartitionRequest.TopicData
                {
                    TopicId = _controller.TopicId,
                    TopicName = SimController.Topic,
                    Partitions =
                    [
                        new AlterPartitionRequest.PartitionData
                        {
                            PartitionIndex = 0,
                            LeaderEpoch = change.LeaderEpoch,
                            NewIsr = [.. change.NewIsr],
                            NewIsrWithEpochs = [.. change.Members.Select(m => new AlterPartitionRequest.BrokerState
                            {
                                BrokerId = m.BrokerId,
                                BrokerEpoch = m.BrokerId == sent.BrokerId ? sent.BrokerEpoch : m.BrokerEpoch,
                            })],
                            LeaderRecoveryState = 0,
                            PartitionEpoch = change.PartitionEpoch,
                        },
                    ],
                },
            ],
        };
        var response = _controller.AlterPartition(request);
        var answer = response.Topics.SelectMany(t => t.Partitions).FirstOrDefault();
        var error = response.ErrorCode != 0 ? (ErrorCode)response.ErrorCode : answer is null ? ErrorCode.UnknownServerError : (ErrorCode)answer.ErrorCode;
        Record($"controller AlterPartition from {sent.BrokerId} [{string.Join(',', change.NewIsr)}]: {error} -> {SimController.Describe(_controller.Partition)}");
        if (live && mayLoseAnswer && _random.Next(100) < 20)
        {
            Record($"AlterPartition answer to {sent.BrokerId} lost: it times out");
            Answer(sent, ErrorCode.RequestTimedOut, null);
        }
        else if (live)
        {
            Answer(sent, error, answer);
        }
        Publish();
    }

    /// <summary>IsrChangeSender's handling of an answer: applied to the partition, and the same change sent again when its outcome is unknown.</summary>
    private void Answer(PendingIsrChange sent, ErrorCode error, AlterPartitionResponse.PartitionData? answer)
    {
        var retry = error == ErrorCode.None
            ? sent.Partition.CompleteIsrChange(sent.Change, error, [.. answer!.Isr], answer.PartitionEpoch, answer.LeaderEpoch)
            : sent.Partition.CompleteIsrChange(sent.Change, error, null, -1, -1);
        if (retry)
        {
            Record($"leader {sent.BrokerId} sends ISR [{string.Join(',', sent.Change.NewIsr)}] again");
            _isrChanges.Add(sent);
        }
        ObserveProduces();
    }

    /// <summary>IsrChangeSender's periodic check on every leader: followers not caught up within the lag leave the ISR.</summary>
    private void CheckLag()
    {
        foreach (var broker in _brokers)
        {
            if (broker.Partition is { IsLeader: true } partition && partition.MaybeShrinkIsr(NowMs, LagMs) is { } shrink)
            {
                Record($"leader {broker.Id} proposes ISR [{string.Join(',', shrink.NewIsr)}] (shrink)");
                _isrChanges.Add(new PendingIsrChange(broker.Id, broker.Epoch, partition, shrink));
            }
        }
    }

    /// <summary>kill -9 of one broker (at most one is down at a time): its process state goes, its files stay; the controller fences it later.</summary>
    private void Crash()
    {
        if (_brokers.Any(b => !b.Alive))
        {
            return;
        }
        var broker = _brokers[_random.Next(_brokers.Length)];
        var partition = broker.Partition!;
        Record($"crash {broker.Id}: leo={partition.Log.LogEndOffset} hw={partition.Log.HighWatermark}");
        broker.Crash();
        Crashes++;
        _pending.RemoveAll(p => p.Partition == partition);
        _inFlight.RemoveAll(f => f.Follower == broker || f.Leader == broker.Id);
        _leaderHighWatermarks.Remove(broker.Id);
        _toFence.Add(broker.Id);
        _toUnfence.Remove(broker.Id);
    }

    private void FenceOne()
    {
        if (_toFence.Count == 0)
        {
            return;
        }
        var id = _toFence.Min;
        _toFence.Remove(id);
        ChangeLeadership(() => _controller.Fence(id), $"controller fences {id}");
    }

    private void Restart()
    {
        var broker = _brokers.FirstOrDefault(b => !b.Alive);
        if (broker is null)
        {
            return;
        }
        broker.Start();
        ChangeLeadership(() => broker.Epoch = _controller.Register(broker.Id), $"restart {broker.Id} (hw checkpoint {broker.CheckpointedHighWatermark}, leo {broker.Partition!.Log.LogEndOffset})");
        Deliver(broker);
        _toFence.Remove(broker.Id);
        _toUnfence.Add(broker.Id);
    }

    private void UnfenceOne()
    {
        var id = _toUnfence.FirstOrDefault(i => Broker(i).Alive);
        if (id == 0)
        {
            return;
        }
        _toUnfence.Remove(id);
        ChangeLeadership(() => _controller.Unfence(id), $"controller unfences {id}");
    }

    private void ElectPreferred() => ChangeLeadership(() => _controller.ElectPreferred(), "preferred election");

    private void ChangeLeadership(Action change, string what)
    {
        var before = _controller.Partition;
        change();
        var after = _controller.Partition;
        if (after.Leader != before.Leader)
        {
            LeaderChanges++;
        }
        Record($"{what} -> {SimController.Describe(after)}");
        Publish();
    }

    private void Checkpoint()
    {
        foreach (var broker in _brokers)
        {
            if (broker.Partition is { } partition)
            {
                broker.CheckpointedHighWatermark = partition.Log.HighWatermark;
            }
        }
    }

    private void AfterStep()
    {
        ObserveProduces();
        CheckInvariants();
    }

    /// <summary>
    /// Completed acks=all waiters are answered, right after the broker call that completed them (so the ISR they
    /// were judged against is still the leader's); expired ones time out as the produce purgatory does.
    /// </summary>
    private void ObserveProduces()
    {
        for (var i = 0; i < _pending.Count; i++)
        {
            var pending = _pending[i];
            if (!pending.Waiter.Task.IsCompleted && NowMs >= pending.DeadlineMs)
            {
                pending.Partition.CancelReplicationWait(pending.Waiter);
            }
            if (pending.Waiter.Task.IsCompleted)
            {
                _pending.RemoveAt(i--);
                Complete(pending.Value, pending.Offset, pending.Crc, pending.Leader, pending.Partition, pending.Waiter.Task.Result);
            }
        }
    }

    private void Complete(int value, long offset, uint crc, int leader, Kora.Broker.Partitions.Partition partition, ErrorCode result)
    {
        Record($"produce {value} at {offset}: {result}");
        if (result == ErrorCode.NotEnoughReplicasAfterAppend)
        {
            Require(partition.Isr.Length < MinInsync, $"produce {value} refused NOT_ENOUGH_REPLICAS_AFTER_APPEND with ISR [{string.Join(',', partition.Isr)}]");
        }
        if (result == ErrorCode.None)
        {
            var acked = new AckedProduce(value, offset, crc, leader, partition.LeaderEpoch);
            CheckAcknowledged(acked, partition);
            _acked.Add(acked);
        }
    }

    private void Record(string what) =>
        _trace.Add(string.Create(CultureInfo.InvariantCulture, $"{_step,4} t={NowMs - 1_000_000,8} {what}"));

    public void Dispose()
    {
        foreach (var broker in _brokers)
        {
            if (broker.Alive)
            {
                broker.Crash();
            }
        }
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
