using System.Diagnostics;
using Confluent.Kafka;
using Kora.Bench.Kafka;
using Kora.Bench.Results;
using Kora.Bench.Stats;
using Kora.Bench.Targets;

namespace Kora.Bench.Runners;

/// <summary>
/// Consumer groups with Confluent.Kafka at its defaults (classic protocol, range assignor): how long 10
/// members take to share 100 partitions from their first subscribe, how long the rest take to pick up a
/// leaving member's partitions, and how fast synchronous offset commits go.
/// </summary>
internal sealed class GroupBenchmark(BenchProfile profile)
{
    public const string Topic = "bench-groups";
    public const int Members = 10;
    public const int Partitions = 100;
    private static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(90);

    public static IReadOnlyList<TopicSpec> Topics => [new(Topic, Partitions)];

    public async Task RunAsync(BenchTarget target, TargetResults results, CancellationToken cancellation)
    {
        using (var admin = new TopicAdmin(target))
        {
            await admin.CreateAsync(Topics, cancellation).ConfigureAwait(false);
        }
        var joins = new List<double>();
        var leaves = new List<double>();
        for (var round = 0; round < profile.GroupRounds; round++)
        {
            var (join, leave) = await RebalanceRoundAsync(target, cancellation).ConfigureAwait(false);
            Log.Info($"{target.Name}: {Members} members over {Partitions} partitions: all assigned after {join:N2} s; a leave redistributed in {leave:N2} s");
            joins.Add(join);
            leaves.Add(leave);
        }
        var (commitsPerSecond, latency) = MeasureSingleCommits(target, cancellation);
        var batchRate = MeasureBatchCommits(target, cancellation);
        Log.Info($"{target.Name}: {commitsPerSecond:N0} sync commits/s (p99 {latency?.P99:N2} ms); {batchRate:N0} offsets/s in {Partitions}-offset commits");
        results.Groups = new GroupResult(Members, Partitions, joins, leaves, commitsPerSecond, latency, batchRate);
    }

    private static ConsumerConfig Config(BenchTarget target, string group) => new()
    {
        BootstrapServers = target.BootstrapServers,
        GroupId = group,
        ClientId = "kora-bench-group",
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Latest,
    };

    private static async Task<(double Join, double Leave)> RebalanceRoundAsync(BenchTarget target, CancellationToken cancellation)
    {
        var group = $"bench-group-{Guid.NewGuid():N}";
        var members = new List<GroupMember>(Members);
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Members; i++)
            {
                members.Add(new GroupMember(Config(target, group)));
            }
            await WaitAsync(() => Covered(members, Members), "every member assigned", cancellation).ConfigureAwait(false);
            var join = clock.Elapsed.TotalSeconds;

            clock.Restart();
            members[0].Dispose();
            var rest = members.Skip(1).ToList();
            await WaitAsync(() => Covered(rest, Members - 1), "the leaver's partitions reassigned", cancellation).ConfigureAwait(false);
            return (join, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var member in members)
            {
                member.Dispose();
            }
        }
    }

    /// <summary>Every partition owned by exactly one member and every member owning some.</summary>
    private static bool Covered(IReadOnlyList<GroupMember> members, int expected)
    {
        var owned = new HashSet<int>();
        var count = 0;
        var withPartitions = 0;
        foreach (var member in members)
        {
            var assigned = member.Assigned;
            count += assigned.Length;
            owned.UnionWith(assigned);
            withPartitions += assigned.Length > 0 ? 1 : 0;
        }
        return count == Partitions && owned.Count == Partitions && withPartitions == expected;
    }

    private static async Task WaitAsync(Func<bool> done, string what, CancellationToken cancellation)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            if (deadline.Elapsed > RebalanceTimeout)
            {
                throw new TimeoutException($"no {what} within {RebalanceTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(10, cancellation).ConfigureAwait(false);
        }
    }

    private (double PerSecond, Percentiles? Latency) MeasureSingleCommits(BenchTarget target, CancellationToken cancellation)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(Config(target, $"bench-commit-{Guid.NewGuid():N}")).SetLogHandler((_, _) => { }).Build();
        var seconds = (int)Math.Ceiling(profile.CommitSeconds);
        var recorder = new LatencyRecorder(100_000, seconds);
        var clock = Stopwatch.StartNew();
        long offset = 0;
        while (clock.Elapsed.TotalSeconds < profile.CommitSeconds && !cancellation.IsCancellationRequested)
        {
            var sent = Stopwatch.GetTimestamp();
            consumer.Commit([new TopicPartitionOffset(Topic, (int)(offset % Partitions), offset)]);
            recorder.Add(Stopwatch.GetTimestamp() - sent, (int)clock.Elapsed.TotalSeconds);
            offset++;
        }
        return (offset / clock.Elapsed.TotalSeconds, recorder.Summarise());
    }

    private double MeasureBatchCommits(BenchTarget target, CancellationToken cancellation)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(Config(target, $"bench-commit-{Guid.NewGuid():N}")).SetLogHandler((_, _) => { }).Build();
        var clock = Stopwatch.StartNew();
        long offsets = 0;
        for (long round = 0; clock.Elapsed.TotalSeconds < profile.CommitSeconds && !cancellation.IsCancellationRequested; round++)
        {
            consumer.Commit(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(Topic, p, round)));
            offsets += Partitions;
        }
        return offsets / clock.Elapsed.TotalSeconds;
    }

    /// <summary>One group member polling on its own thread; its assignment is read from the rebalance callbacks.</summary>
    private sealed class GroupMember : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly IConsumer<Ignore, Ignore> _consumer;
        private readonly Thread _poller;
        private int[] _assigned = [];
        private bool _disposed;

        public GroupMember(ConsumerConfig config)
        {
            _consumer = new ConsumerBuilder<Ignore, Ignore>(config)
                .SetPartitionsAssignedHandler((_, partitions) => Volatile.Write(ref _assigned, [.. partitions.Select(p => p.Partition.Value)]))
                .SetPartitionsRevokedHandler((_, _) => Volatile.Write(ref _assigned, []))
                .SetPartitionsLostHandler((_, _) => Volatile.Write(ref _assigned, []))
                .SetLogHandler((_, _) => { })
                .Build();
            _consumer.Subscribe(Topic);
            _poller = new Thread(Poll) { IsBackground = true, Name = "bench-group-member" };
            _poller.Start();
        }

        public int[] Assigned => Volatile.Read(ref _assigned);

        private void Poll()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    _consumer.Consume(50);
                }
                catch (ConsumeException)
                {
                }
            }
            // Close on the polling thread: it runs the revocation callback and sends LeaveGroup.
            _consumer.Close();
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _stop.Cancel();
            _poller.Join();
            _consumer.Dispose();
            _stop.Dispose();
        }
    }
}
