using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.Cluster.Bench;

// Cluster benchmarks on real processes (3 controllers, 3 brokers, Release builds): controller failover
// as a client sees it, CreateTopics-to-visible-on-every-broker, topics created per second, and the
// restart time of a broker hosting many partitions. Started by bench/cluster, which builds first.

var kills = Option("--kills", 20);
var replicationMessages = Option("--replication-messages", 200_000);
var replicationOnly = args.Contains("--replication-only");
var partitions = Option("--partitions", 10_000);
var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
var rows = new List<(string What, string Value)>();

await using (var fleet = await Fleet.StartAsync(root))
{
    using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build();

    await ReplicationBench.RunAsync(fleet, rows, replicationMessages, Option("--leader-kills", 10));
    Log("replication done");
    await ReassignmentBench.RunAsync(fleet, rows, Option("--reassign-mb", 512));
    Log("reassignment done");
    if (!replicationOnly)
    {
        await ControlPlaneAsync(fleet, admin);
    }
}

var markdown = new StringBuilder()
    .AppendLine($"# Kora cluster benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC")
    .AppendLine()
    .AppendLine($"3 controllers and 3 brokers (Release, default settings) on {Environment.ProcessorCount} cores.")
    .AppendLine()
    .AppendLine("| measure | value |")
    .AppendLine("| --- | --- |");
foreach (var (what, value) in rows)
{
    markdown.AppendLine($"| {what} | {value} |");
}
var results = Path.Combine(root, "bench", "results");
Directory.CreateDirectory(results);
var file = Path.Combine(results, $"cluster-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
await File.WriteAllTextAsync(file, markdown.ToString());
Console.WriteLine(markdown);
Log($"results: {file}");
return 0;

async Task ControlPlaneAsync(Fleet fleet, IAdminClient admin)
{
    // Topics per second: 1,000 single-partition topics in CreateTopics requests of 100.
    var clock = Stopwatch.StartNew();
    for (var batch = 0; batch < 10; batch++)
    {
        await admin.CreateTopicsAsync(Enumerable.Range(0, 100).Select(i => new TopicSpecification { Name = $"rate-{batch}-{i}", NumPartitions = 1, ReplicationFactor = 1 }));
    }
    rows.Add(("topics created per second (1,000 topics, 100 per CreateTopics)", (1000 / clock.Elapsed.TotalSeconds).ToString("F0", CultureInfo.InvariantCulture)));
    Log($"topics/s done in {clock.Elapsed.TotalSeconds:F1} s");

    // CreateTopics through one broker until every broker's own Metadata lists the topic.
    var visible = new List<double>();
    for (var i = 0; i < 20; i++)
    {
        using var one = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = $"127.0.0.1:{fleet.Brokers[i % 3].KafkaEndPoint.Port}" }).Build();
        var name = $"visible-{i}";
        clock.Restart();
        await one.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = 3, ReplicationFactor = 1 }]);
        while (true)
        {
            var seen = await Task.WhenAll(fleet.Brokers.Select(Fleet.TopicsAsync));
            if (seen.All(s => s.Contains(name)))
            {
                break;
            }
            await Task.Delay(2);
        }
        visible.Add(clock.Elapsed.TotalMilliseconds);
    }
    rows.Add(("CreateTopics to visible on every broker, median / p99", Ms(visible)));
    Log("visibility done");

    // Controller failover: kill -9 the leader, then CreateTopics through a broker until it succeeds.
    var elected = new List<double>();
    var resumed = new List<double>();
    for (var round = 0; round < kills; round++)
    {
        var leader = await fleet.LeaderAsync(TimeSpan.FromSeconds(30));
        await leader.KillAsync();
        clock.Restart();
        var create = admin.CreateTopicsAsync([new TopicSpecification { Name = $"failover-{round}", NumPartitions = 1, ReplicationFactor = 1 }],
            new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        var newLeader = await fleet.LeaderAsync(TimeSpan.FromSeconds(30));
        elected.Add(clock.Elapsed.TotalMilliseconds);
        await create;
        resumed.Add(clock.Elapsed.TotalMilliseconds);
        await leader.StartAsync(TimeSpan.FromSeconds(60));
        Log($"kill {round + 1}/{kills}: leader {leader.Name} -> {newLeader.Name}, admin resumed in {resumed[^1]:F0} ms");
    }
    rows.Add(($"controller failover over {kills} kills -9 of the leader: new leader elected, median / p99", Ms(elected)));
    rows.Add(($"controller failover over {kills} kills -9 of the leader: CreateTopics through a broker answered, median / p99", Ms(resumed)));

    // A broker hosting many partitions: clean restart and restart after kill -9.
    var target = fleet.Brokers[0];
    var perTopic = 100;
    clock.Restart();
    var topicCount = Math.Max(1, partitions / perTopic);
    for (var t = 0; t < topicCount; t += 10)
    {
        await admin.CreateTopicsAsync(Enumerable.Range(t, Math.Min(10, topicCount - t)).Select(i => new TopicSpecification
        {
            Name = $"many-{i}",
            NumPartitions = perTopic,
            ReplicationFactor = -1,
            ReplicasAssignments = Enumerable.Range(0, perTopic).ToDictionary(p => p, _ => new List<int> { 101 }),
        }));
    }
    // Created once the broker has opened every partition's log, not merely once the controller committed the topics.
    var dataDir = fleet.BrokerDataDir(101);
    while (Directory.EnumerateDirectories(dataDir, "many-*").Count() < topicCount * perTopic)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"broker-101 did not open all {topicCount * perTopic} partitions.");
        }
        await Task.Delay(50);
    }
    var created = clock.Elapsed;
    var createdDescriptors = target.OpenDescriptors;
    Log($"{partitions} partitions on broker-101 created in {created.TotalSeconds:F1} s, {createdDescriptors} descriptors open");
    clock.Restart();
    await target.StopAsync();
    var stop = clock.Elapsed;
    var cleanStart = await target.StartAsync(TimeSpan.FromMinutes(5));
    var cleanDescriptors = target.OpenDescriptors;
    await target.KillAsync();
    var crashStart = await target.StartAsync(TimeSpan.FromMinutes(5));
    var crashDescriptors = target.OpenDescriptors;
    rows.Add(($"broker with {partitions:N0} partitions: created, until the broker has opened every log ({topicCount} topics of {perTopic} partitions, 10 per CreateTopics)", $"{created.TotalMilliseconds:F0} ms"));
    rows.Add(($"broker with {partitions:N0} partitions: open descriptors once created / after clean restart / after kill -9 restart",
        $"{createdDescriptors} / {cleanDescriptors} / {crashDescriptors}"));
    rows.Add(($"broker with {partitions:N0} partitions: controlled shutdown", $"{stop.TotalMilliseconds:F0} ms"));
    rows.Add(($"broker with {partitions:N0} partitions: start to ready after a clean stop", $"{cleanStart.TotalMilliseconds:F0} ms"));
    rows.Add(($"broker with {partitions:N0} partitions: start to ready after kill -9", $"{crashStart.TotalMilliseconds:F0} ms"));
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static string Ms(List<double> samples)
{
    var sorted = samples.Order().ToList();
    var p99 = sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:F0} ms / {p99:F0} ms");
}

static void Log(string message) => Console.Error.WriteLine($"[cluster-bench] {message}");
