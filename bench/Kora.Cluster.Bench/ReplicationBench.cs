using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.Protocol.Messages;

namespace Kora.Cluster.Bench;

/// <summary>
/// Replication on the three brokers: acks=all produce throughput and p99 latency with RF=3
/// (min.insync.replicas=2) against RF=1, the produce stall when the leader's broker is killed, and the
/// catch-up rate of a follower that was stopped while data kept coming.
/// </summary>
public static class ReplicationBench
{
    private const int MessageBytes = 200;

    public static async Task RunAsync(Fleet fleet, List<(string What, string Value)> rows, int messages, int leaderKills)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build();
        await admin.CreateTopicsAsync(
        [
            new TopicSpecification { Name = "acks-rf1", NumPartitions = 3, ReplicationFactor = 1 },
            new TopicSpecification { Name = "acks-rf3", NumPartitions = 3, ReplicationFactor = 3, Configs = new() { ["min.insync.replicas"] = "2" } },
            new TopicSpecification { Name = "catch-up", NumPartitions = 1, ReplicationFactor = 3, Configs = new() { ["min.insync.replicas"] = "2" } },
        ]);
        await WaitForIsrAsync(fleet, "acks-rf3", 3, TimeSpan.FromSeconds(60));
        // Warm-up, then throughput flat out (latency there is mostly queueing), then latency at a paced 1,000 messages/s.
        Produce(fleet.BootstrapServers, "acks-rf1", messages / 10);
        Produce(fleet.BootstrapServers, "acks-rf3", messages / 10);
        // Interleaved and the better of two each, so neither pays for the machine's other work more than the other.
        var rf1 = Produce(fleet.BootstrapServers, "acks-rf1", messages);
        var rf3 = Produce(fleet.BootstrapServers, "acks-rf3", messages);
        var rf1Again = Produce(fleet.BootstrapServers, "acks-rf1", messages);
        var rf3Again = Produce(fleet.BootstrapServers, "acks-rf3", messages);
        rf1 = rf1Again.Rate > rf1.Rate ? rf1Again : rf1;
        rf3 = rf3Again.Rate > rf3.Rate ? rf3Again : rf3;
        var rf1Paced = Produce(fleet.BootstrapServers, "acks-rf1", 5_000, paced: true);
        var rf3Paced = Produce(fleet.BootstrapServers, "acks-rf3", 5_000, paced: true);
        rows.Add(($"acks=all produce flat out, {messages:N0} x {MessageBytes} B, 3 partitions, better of two runs each: RF=1 / RF=3 (min.insync.replicas=2) messages/s",
            string.Create(CultureInfo.InvariantCulture, $"{rf1.Rate:F0} /s / {rf3.Rate:F0} /s (ratio {rf3.Rate / rf1.Rate:F2})")));
        rows.Add(("acks=all produce at 1,000 messages/s: RF=1 / RF=3 p99 latency",
            string.Create(CultureInfo.InvariantCulture, $"{rf1Paced.P99:F1} ms / {rf3Paced.P99:F1} ms (median {rf1Paced.Median:F1} / {rf3Paced.Median:F1} ms)")));
        Log($"RF=1 {rf1.Rate:F0}/s; RF=3 {rf3.Rate:F0}/s; paced p99 {rf1Paced.P99:F1} / {rf3Paced.P99:F1} ms");

        // A follower stopped while 'messages' more arrive, then started: the rate it fetches the backlog at.
        await WaitForIsrAsync(fleet, "catch-up", 3, TimeSpan.FromSeconds(60));
        var (leader, _) = await LeaderAndIsrAsync(fleet.Brokers[0], "catch-up");
        var follower = fleet.Brokers.First(b => b.Name != $"broker-{leader}");
        await follower.StopAsync();
        var backlog = Produce(fleet.Brokers.First(b => b.IsRunning).KafkaEndPoint.ToString(), "catch-up", messages);
        var started = await follower.StartAsync(TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();
        await WaitForIsrAsync(fleet, "catch-up", 3, TimeSpan.FromMinutes(5));
        var seconds = clock.Elapsed.TotalSeconds;
        var megabytes = messages * (double)MessageBytes / (1024 * 1024);
        rows.Add(($"returning follower: {megabytes:F0} MB backlog, from ready to back in the ISR (process start to ready {started.TotalSeconds:F1} s)",
            string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s ({megabytes / seconds:F1} MB/s)")));
        Log($"catch-up of {megabytes:F0} MB in {seconds:F1} s (rate {backlog.Rate:F0}/s while it was away)");

        // The leader's broker killed under steady acks=all load, several times: the longest pause in acknowledgements each time.
        var stalls = new List<double>();
        for (var kill = 0; kill < leaderKills; kill++)
        {
            await WaitForIsrAsync(fleet, "catch-up", 3, TimeSpan.FromSeconds(60));
            (leader, _) = await LeaderAndIsrAsync(fleet.Brokers.First(b => b.IsRunning), "catch-up");
            var victim = fleet.Brokers.Single(b => b.Name == $"broker-{leader}");
            var stall = await StallOnKillAsync(fleet, victim, "catch-up");
            stalls.Add(stall);
            Log($"kill {kill + 1}: stall {stall:F0} ms");
            await victim.StartAsync(TimeSpan.FromMinutes(2));
        }
        if (stalls.Count == 0)
        {
            return;
        }
        var ordered = stalls.Order().ToList();
        rows.Add(($"produce stall when the leader's broker is killed -9, {stalls.Count} kills (broker session timeout 9 s, default): median / max",
            string.Create(CultureInfo.InvariantCulture, $"{ordered[ordered.Count / 2]:F0} ms / {ordered[^1]:F0} ms ({string.Join(", ", stalls.Select(s => s.ToString("F0", CultureInfo.InvariantCulture)))})")));
    }

    private static (double Rate, double P99, double Median) Produce(string bootstrap, string topic, int messages, bool paced = false)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();
        var payload = new byte[MessageBytes];
        if (paced)
        {
            // The producer's own start (bootstrap, metadata, then a producer id once a broker connection is up, which
            // librdkafka retries on a 500 ms timer) is not produce latency: one message first, outside the measurement.
            producer.Produce(topic, new Message<Null, byte[]> { Value = payload });
            producer.Flush(TimeSpan.FromSeconds(30));
        }
        var latencies = new double[messages];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            var index = i;
            while (paced && clock.Elapsed.TotalMilliseconds < i)
            {
                Thread.Sleep(1);
            }
            var sent = clock.Elapsed.TotalMilliseconds;
            producer.Produce(topic, new Message<Null, byte[]> { Value = payload }, report =>
            {
                latencies[index] = report.Error.IsError ? double.NaN : clock.Elapsed.TotalMilliseconds - sent;
            });
        }
        producer.Flush(TimeSpan.FromMinutes(5));
        var rate = messages / clock.Elapsed.TotalSeconds;
        var sorted = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
        return sorted.Length == 0
            ? (rate, double.NaN, double.NaN)
            : (rate, sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))], sorted[sorted.Length / 2]);
    }

    private static async Task<double> StallOnKillAsync(Fleet fleet, NodeProcess victim, string topic)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = fleet.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            MessageTimeoutMs = 120_000,
            RetryBackoffMs = 50,
            RetryBackoffMaxMs = 200,
        }).Build();
        var clock = Stopwatch.StartNew();
        var acks = new List<double>();
        using var stop = new CancellationTokenSource();
        var producing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                producer.Produce(topic, new Message<Null, byte[]> { Value = new byte[MessageBytes] }, report =>
                {
                    if (!report.Error.IsError)
                    {
                        lock (acks)
                        {
                            acks.Add(clock.Elapsed.TotalMilliseconds);
                        }
                    }
                });
                await Task.Delay(2);
            }
        });
        await Task.Delay(3000);
        var killedAt = clock.Elapsed.TotalMilliseconds;
        await victim.KillAsync();
        // Until acknowledgements have flowed again for a while (or 20 s): the stall is the longest gap since the kill.
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(250);
            lock (acks)
            {
                if (acks.Count > 0 && acks[^1] >= killedAt && acks.Count(a => a >= killedAt) >= 500)
                {
                    break;
                }
            }
        }
        await stop.CancelAsync();
        await producing;
        producer.Flush(TimeSpan.FromSeconds(60));
        lock (acks)
        {
            var after = acks.Where(a => a >= killedAt).Order().ToList();
            var previous = killedAt;
            var longest = 0.0;
            foreach (var at in after)
            {
                longest = Math.Max(longest, at - previous);
                previous = at;
            }
            return longest;
        }
    }

    private static async Task<(int Leader, int[] Isr)> LeaderAndIsrAsync(NodeProcess broker, string topic)
    {
        var response = await Wire.SendAsync<MetadataResponse>(broker.KafkaEndPoint, MetadataRequest.ApiKey, 12,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false }, TimeSpan.FromSeconds(10));
        var partition = response.Topics.Single().Partitions.Single(p => p.PartitionIndex == 0);
        return (partition.LeaderId, [.. partition.IsrNodes]);
    }

    private static async Task WaitForIsrAsync(Fleet fleet, string topic, int size, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var broker = fleet.Brokers.First(b => b.IsRunning);
            try
            {
                var (leader, isr) = await LeaderAndIsrAsync(broker, topic);
                if (leader >= 0 && isr.Length >= size)
                {
                    return;
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidOperationException)
            {
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{topic} did not get {size} in-sync replicas within {timeout}.");
            }
            await Task.Delay(100);
        }
    }

    private static void Log(string message) => Console.Error.WriteLine($"[cluster-bench] {message}");
}
