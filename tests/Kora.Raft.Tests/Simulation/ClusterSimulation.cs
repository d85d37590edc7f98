using System.Text;
using Kora.Raft.Log;

namespace Kora.Raft.Tests.Simulation;

/// <summary>
/// One seeded schedule: a cluster of Raft cores on a simulated clock, network and disks, a chaos
/// phase of crashes (with torn writes), restarts, partitions, loss, duplication and delay while
/// clients append and nodes snapshot, then a healed phase that must elect a leader and commit a new
/// entry everywhere within a bound. Safety is checked after every step. Everything random comes
/// from the one seed, so a seed replays exactly.
/// </summary>
public sealed class ClusterSimulation
{
    private const int StepMs = 2;
    private const int TraceLines = 400;

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly SimulatedNetwork _network;
    private readonly CommittedHistory _history = new();
    private readonly List<SimNode> _nodes = [];
    private readonly Dictionary<int, int> _leaderByEpoch = [];
    private readonly HashSet<(int Node, int Epoch, int Incarnation)> _checkedLeaders = [];
    private readonly Dictionary<int, string> _lastRole = [];
    private readonly LinkedList<string> _trace = new();
    private readonly Action<string>? _verbose;
    private long _now;
    private int _payloads;

    public ClusterSimulation(SimulationOptions options, Action<string>? verbose = null)
    {
        _options = options;
        _verbose = verbose;
        _random = new Random(options.Seed);
        _network = new SimulatedNetwork(new Random(_random.Next()));
    }

    public int Crashes { get; private set; }
    public int Elections => _leaderByEpoch.Count;
    public long Committed => _history.End;

    public void Run()
    {
        try
        {
            Setup();
            while (_now < _options.ChaosMs)
            {
                Step(chaos: true);
            }
            Heal();
            CheckLiveness();
        }
        catch (SimulationFailure e)
        {
            throw new SimulationFailure($"seed {_options.Seed} ({_options.Voters} voters, {_options.Observers} observers) at {_now} ms: {e.Message}\n"
                + $"replay: KORA_RAFT_SEED={_options.Seed} dotnet test tests/Kora.Raft.Tests --filter ReplaySeed\n--- last events ---\n{string.Join('\n', _trace)}");
        }
    }

    private void Trace(string line)
    {
        var text = $"[{_now,6}] {line}";
        _trace.AddLast(text);
        if (_trace.Count > TraceLines)
        {
            _trace.RemoveFirst();
        }
        _verbose?.Invoke(text);
    }

    private void Setup()
    {
        var voters = Enumerable.Range(1, _options.Voters).ToList();
        var ids = voters.Concat(Enumerable.Range(101, _options.Observers)).ToList();
        foreach (var id in ids)
        {
            var config = new RaftConfig
            {
                NodeId = id,
                Voters = voters,
                ClusterId = "sim",
                ElectionTimeoutMs = 100,
                FetchTimeoutMs = 150,
                ElectionBackoffBaseMs = 10,
                ElectionBackoffMaxMs = 100,
                RetryBackoffMs = 10,
                RequestTimeoutMs = 80,
                FetchMaxWaitMs = 40,
                FetchMaxBytes = 600,
                FetchSnapshotMaxBytes = 256,
                AppendLingerMs = new[] { 0, 6, 20 }[_random.Next(3)],
            };
            var node = new SimNode(id, config, _network, _history, Trace);
            _nodes.Add(node);
            node.Start(_now, _random.Next());
        }
        Trace($"cluster of voters [{string.Join(',', voters)}] and {_options.Observers} observers");
    }

    private SimNode Node(int id) => _nodes.First(n => n.Id == id);

    private void Step(bool chaos)
    {
        _now += StepMs;
        _network.Now = _now;
        if (chaos)
        {
            InjectFaults();
        }
        foreach (var (to, message) in _network.TakeDue())
        {
            var node = Node(to);
            // A dead process refuses connections, and now and then a live link resets: the sender's
            // transport reports the request as failed (Kora's fast failover reacts to that).
            var refused = !node.Alive || (chaos && _random.NextDouble() < 0.002);
            if (refused)
            {
                if (!message.IsResponse && Node(message.Source) is { Alive: true } sender)
                {
                    sender.Core.OnRequestFailed(to, message.CorrelationId, _now);
                }
                continue;
            }
            node.Core.Handle(message, _now);
        }
        foreach (var node in _nodes.Where(n => n.Alive))
        {
            node.Core.Poll(_now);
        }
        if (chaos && _random.NextDouble() < 0.08)
        {
            ClientAppend($"p{_payloads++}");
        }
        if (_random.NextDouble() < 0.01)
        {
            TrySnapshot(_nodes[_random.Next(_nodes.Count)]);
        }
        CheckSafety();
    }

    private void InjectFaults()
    {
        var roll = _random.NextDouble();
        var alive = _nodes.Where(n => n.Alive).ToList();
        var dead = _nodes.Where(n => !n.Alive).ToList();
        if (roll < 0.004 && alive.Count > 0)
        {
            alive[_random.Next(alive.Count)].Crash(_random, tornWrites: true);
            Crashes++;
        }
        else if (roll < 0.008 && alive.FirstOrDefault(n => n.Core.Role == RaftRole.Leader && n.Log.FlushedOffset < n.Log.EndOffset) is { } leader)
        {
            // A leader dies while followers may already hold writes it has not fsynced yet.
            leader.Crash(_random, tornWrites: true);
            Crashes++;
        }
        else if (roll < 0.028 && dead.Count > 0)
        {
            var node = dead[_random.Next(dead.Count)];
            node.Start(_now, _random.Next());
            Trace($"node {node.Id} restarted as {node.Core.Role} in epoch {node.Core.Epoch}, log [{node.Log.StartOffset}, {node.Log.EndOffset})");
        }
        else if (roll < 0.031)
        {
            var side = _nodes.Where(_ => _random.Next(2) == 0).Select(n => n.Id).ToList();
            _network.Partition(side, _nodes.Select(n => n.Id));
            Trace($"partition: [{string.Join(',', side)}] | rest");
        }
        else if (roll < 0.033 && alive.FirstOrDefault(n => n.Core.Role == RaftRole.Leader) is { } isolated)
        {
            _network.Partition([isolated.Id], _nodes.Select(n => n.Id));
            Trace($"partition: leader {isolated.Id} isolated");
        }
        else if (roll < 0.041 && _network.IsPartitioned)
        {
            _network.Heal();
            Trace("partition healed");
        }
        else if (roll < 0.045)
        {
            _network.LossRate = new[] { 0, 0, 0.05, 0.2, 0.5 }[_random.Next(5)];
            _network.DuplicateRate = new[] { 0, 0.05, 0.3 }[_random.Next(3)];
            _network.MaxDelayMs = new[] { 3, 10, 30, 70 }[_random.Next(4)];
            Trace($"network: loss {_network.LossRate}, duplicates {_network.DuplicateRate}, delay up to {_network.MaxDelayMs} ms");
        }
    }

    private void ClientAppend(string payload)
    {
        var leaders = _nodes.Where(n => n.Alive && n.Core.Role == RaftRole.Leader).ToList();
        if (leaders.Count == 0)
        {
            return;
        }
        var leader = leaders[_random.Next(leaders.Count)];
        var count = 1 + _random.Next(3);
        var records = Enumerable.Range(0, count).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(count == 1 ? payload : $"{payload}.{i}")).ToList();
        if (leader.Core.TryAppend(records, _now) is { } offset)
        {
            Trace($"leader {leader.Id} appended {payload} x{count} at {offset}");
        }
    }

    private void TrySnapshot(SimNode node)
    {
        if (!node.Alive || node.StateMachine.LastBatchEnd is not { } end)
        {
            return;
        }
        if (end.Offset <= node.Log.StartOffset || end.Offset > node.Core.HighWatermark || end.Offset != node.StateMachine.NextOffset)
        {
            return;
        }
        node.Core.CreateSnapshot(end, node.StateMachine.Snapshot());
        Trace($"node {node.Id} snapshot at {end}");
    }

    private void CheckSafety()
    {
        foreach (var node in _nodes.Where(n => n.Alive))
        {
            var core = node.Core;
            var role = $"{core.Role}@{core.Epoch}";
            if (_lastRole.GetValueOrDefault(node.Id) != role)
            {
                _lastRole[node.Id] = role;
                Trace($"node {node.Id} is {core.Role} in epoch {core.Epoch} (leader {core.LeaderId}, log [{node.Log.StartOffset}, {node.Log.EndOffset}) epoch {node.Log.LastFetchedEpoch}, hw {core.HighWatermark})");
            }
            if (core.Diagnostics.InconsistentLeaders + core.Diagnostics.TruncationsBelowHighWatermark > 0)
            {
                throw new SimulationFailure($"node {node.Id}: {core.Diagnostics.LastViolation}");
            }
            if (core.Role != RaftRole.Leader)
            {
                continue;
            }
            if (_leaderByEpoch.TryGetValue(core.Epoch, out var other) && other != node.Id)
            {
                throw new SimulationFailure($"two leaders in epoch {core.Epoch}: {other} and {node.Id}");
            }
            _leaderByEpoch[core.Epoch] = node.Id;
            if (_checkedLeaders.Add((node.Id, core.Epoch, node.Incarnation)))
            {
                CheckLeaderHasCommitted(node);
            }
        }
    }

    /// <summary>Leader completeness: a new leader's log holds every record committed in an earlier epoch above its snapshot.</summary>
    private void CheckLeaderHasCommitted(SimNode node)
    {
        var log = node.Log;
        var bytes = log.Read(log.StartOffset, int.MaxValue);
        var records = new Dictionary<long, (int Epoch, string Payload)>();
        var position = 0;
        while (position < bytes.Length && RaftBatches.TryReadValid(bytes.Span[position..], out var baseOffset, out _, out var epoch, out var isControl, out var size))
        {
            var batch = new RaftBatch { BaseOffset = baseOffset, LastOffset = baseOffset, Epoch = epoch, IsControl = isControl, Bytes = bytes.Slice(position, size) };
            if (isControl)
            {
                records[baseOffset] = (epoch, "control");
            }
            else
            {
                var values = batch.Values();
                for (var i = 0; i < values.Count; i++)
                {
                    records[baseOffset + i] = (epoch, Encoding.UTF8.GetString(values[i].Span));
                }
            }
            position += size;
        }
        for (var offset = log.StartOffset; offset < _history.End; offset++)
        {
            // Raft's leader completeness speaks of entries committed in earlier epochs only: a candidate whose
            // delayed votes make it leader of an old epoch after a newer epoch committed is a stale leader that can
            // commit nothing, and it steps down at its first contact with the newer epoch.
            if (!_history.TryGet(offset, out var committed) || _history.CommittedByEpochAtMost(offset) >= node.Core.Epoch)
            {
                continue;
            }
            if (!records.TryGetValue(offset, out var held) || held != committed)
            {
                throw new SimulationFailure($"leader {node.Id} of epoch {node.Core.Epoch} lacks committed ({offset}, epoch {committed.Epoch}, '{committed.Payload}'); it holds {(records.ContainsKey(offset) ? held.ToString() : "nothing")}");
            }
        }
    }

    private void Heal()
    {
        _network.Heal();
        _network.LossRate = 0;
        _network.DuplicateRate = 0;
        _network.MaxDelayMs = 10;
        foreach (var node in _nodes.Where(n => !n.Alive))
        {
            node.Start(_now, _random.Next());
        }
        Trace("healed: every node up, no partition, no loss");
    }

    /// <summary>After healing, a leader must emerge and a new entry must reach every state machine in bounded time.</summary>
    private void CheckLiveness()
    {
        var deadline = _now + _options.LivenessBoundMs;
        var marker = $"marker-{_options.Seed}";
        (int Node, int Epoch)? appendedAt = null;
        while (_now < deadline)
        {
            Step(chaos: false);
            var leader = _nodes.FirstOrDefault(n => n.Core.Role == RaftRole.Leader);
            if (leader is not null && appendedAt != (leader.Id, leader.Core.Epoch)
                && leader.Core.TryAppend([Encoding.UTF8.GetBytes(marker)], _now) is { } offset)
            {
                appendedAt = (leader.Id, leader.Core.Epoch);
                Trace($"leader {leader.Id} appended {marker} at {offset}");
            }
            if (_nodes.All(n => n.StateMachine.AppliedPayloads.Contains(marker)))
            {
                return;
            }
        }
        var states = string.Join("; ", _nodes.Select(n => $"{n.Id}: {n.Core.Role}@{n.Core.Epoch} leader {n.Core.LeaderId} hw {n.Core.HighWatermark} delivered {n.Core.DeliveredOffset} log [{n.Log.StartOffset},{n.Log.EndOffset}) snapshot {n.Log.LatestSnapshotId}"));
        throw new SimulationFailure($"no progress within {_options.LivenessBoundMs} ms after healing: {states}");
    }
}
