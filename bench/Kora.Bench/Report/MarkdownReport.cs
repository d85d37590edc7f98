using System.Globalization;
using System.Text;
using Kora.Bench.Results;

namespace Kora.Bench.Report;

/// <summary>Renders a <see cref="BenchReport"/> as Markdown: goals, then one table per measurement.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchReport report)
    {
        var kora = report.For("Kora");
        var mock = report.For("Mock");
        var profile = report.Profile;
        var text = new StringBuilder();
        text.AppendLine(Invariant($"# Kora benchmark, {report.StartedAt:yyyy-MM-dd HH:mm} ({profile.Name} run, {report.DurationSeconds / 60:N1} min)"));
        text.AppendLine();
        text.AppendLine(Invariant($"Commit {report.Machine.Commit}; {report.Machine.Cores} cores, {report.Machine.Os}, {report.Machine.Runtime}."));
        text.AppendLine("Kora vs librdkafka 2.15.1's mock cluster, one broker each on 127.0.0.1, same clients and settings. "
            + "Ratio = Kora / mock. MB = 10^6 bytes. Broker CPU in cores = CPU seconds / wall seconds of the run.");
        text.AppendLine();

        Section(text, "Goals", Goals(report));
        Section(text, "Produce throughput",
            $"rdkafka_performance -P, {string.Join(", ", profile.PerfProducerSettings)}; 1 partition: -p 0, 12 partitions: random. "
            + Invariant($"Each run sized from a {profile.CalibrationSeconds:0.#} s warm-up to last about {profile.ProduceSeconds:0.#} s."),
            Produce(kora, mock));
        Section(text, "Consume throughput",
            "rdkafka_performance -C, partitions 0-11 from the beginning to the end of a produce topic; "
            + Invariant($"time limit {profile.ConsumeTimeLimitSeconds:0} s (a run cut short is marked *). ")
            + "Not a fair baseline: the mock keeps only the last 5 MB of each partition (so it has far fewer messages to return) "
            + "and answers a Fetch with one record batch per partition.",
            Consume(kora, mock));
        Section(text, "Latency",
            Invariant($"{profile.LatencyMessagesPerSecond:N0} msg/s x {profile.LatencyMessageSize} B ")
            + Invariant($"({profile.LatencyMessagesPerSecond * (double)profile.LatencyMessageSize / 1e6:N1} MB/s), Confluent.Kafka producer with ")
            + string.Join(", ", profile.LatencyProducerSettings)
            + Invariant($", {profile.LatencySeconds:0} s measured after {profile.LatencyWarmupSeconds:0} s warm-up; ")
            + "ack = delivery report - send, e2e = receipt by a consumer in the same process (librdkafka defaults, fetch.wait.max.ms=500) - send. "
            + "Milliseconds. The mock's e2e is no baseline: an empty Fetch waits the full fetch.wait.max.ms there (new data doesn't end the wait) "
            + "and it keeps only 5 MB per partition, so its consumer falls behind and out of range (see E2E samples).",
            Latency(kora, mock, profile));
        Section(text, "Resources",
            "CPU and peak RSS over the latency, produce and consume runs of one broker process; "
            + Invariant($"the {profile.MemoryTopics * profile.MemoryPartitionsPerTopic:N0}-partition rows come from a fresh broker with ")
            + Invariant($"{profile.MemoryTopics} topics x {profile.MemoryPartitionsPerTopic} partitions, {profile.MemoryMessagesPerPartition} x 1 KiB messages each, ")
            + Invariant($"read {profile.MemorySettleSeconds:0} s after producing."),
            Resources(kora, mock));
        Section(text, "Consumer groups",
            Invariant($"Confluent.Kafka consumers at their defaults (classic protocol, range assignor); {profile.GroupRounds} round(s), each with a new group. ")
            + "Join = first subscribe to every partition assigned once (includes the broker's group.initial.rebalance.delay.ms, 3 s in both); "
            + "leave = one member's close to its partitions owned by the others. "
            + Invariant($"Commits: synchronous Commit() calls in a loop for {profile.CommitSeconds:0} s, of one offset, then of every partition's."),
            Groups(kora, mock));
        Section(text, "Transactions",
            "Confluent.Kafka producer with " + string.Join(", ", Runners.TransactionBenchmark.ProducerSettings)
            + Invariant($", 1 KiB messages over 12 partitions, {profile.TransactionMessages:N0} messages; transactional = the same with a transaction committed every {profile.MessagesPerTransaction:N0} messages."),
            Transactions(kora, mock));
        Problems(text, report);
        return text.ToString();
    }

    private static MarkdownTable Goals(BenchReport report)
    {
        var table = new MarkdownTable(4, "Goal", "Threshold", "Measured", "Result");
        foreach (var goal in report.Goals)
        {
            table.Add(goal.Goal, goal.Threshold, goal.Measured, goal.Status switch
            {
                GoalStatus.Pass => "pass",
                GoalStatus.Miss => "MISS",
                _ => "not measured",
            });
        }
        return table;
    }

    private static MarkdownTable Produce(TargetResults? kora, TargetResults? mock)
    {
        var table = new MarkdownTable(3, "Size", "Partitions", "acks",
            "Kora msg/s", "Kora MB/s", "Mock msg/s", "Mock MB/s", "Kora/mock", "Kora CPU (cores)");
        foreach (var scenario in ProduceScenario.All)
        {
            var k = kora?.Produce.FirstOrDefault(p => p.Scenario == scenario);
            var m = mock?.Produce.FirstOrDefault(p => p.Scenario == scenario);
            table.Add(scenario.SizeLabel, Invariant($"{scenario.Partitions}"), Invariant($"{scenario.Acks}"),
                Format.Count(k?.Throughput?.MessagesPerSecond), Format.Decimal(k?.Throughput?.MegabytesPerSecond),
                Format.Count(m?.Throughput?.MessagesPerSecond), Format.Decimal(m?.Throughput?.MegabytesPerSecond),
                Format.Ratio(k?.Throughput?.MessagesPerSecond, m?.Throughput?.MessagesPerSecond),
                Format.Decimal(k?.Throughput is { } t ? k.TargetCpuSeconds / t.Seconds : null, 2));
        }
        return table;
    }

    private static MarkdownTable Consume(TargetResults? kora, TargetResults? mock)
    {
        var table = new MarkdownTable(1, "Topic", "Kora msgs", "Kora msg/s", "Kora MB/s", "Mock msgs", "Mock msg/s", "Mock MB/s", "Kora/mock (msg/s)");
        var sources = (kora?.Consume ?? []).Concat(mock?.Consume ?? []).Select(c => c.Source).Distinct();
        foreach (var source in sources)
        {
            var k = kora?.Consume.FirstOrDefault(c => c.Source == source)?.Throughput;
            var m = mock?.Consume.FirstOrDefault(c => c.Source == source)?.Throughput;
            table.Add(source.Topic, Messages(k), Format.Count(k?.MessagesPerSecond), Format.Decimal(k?.MegabytesPerSecond),
                Messages(m), Format.Count(m?.MessagesPerSecond), Format.Decimal(m?.MegabytesPerSecond),
                Format.Ratio(k?.MessagesPerSecond, m?.MessagesPerSecond));
        }
        return table;

        static string Messages(ThroughputResult? t) => t is null ? Format.Missing : Format.Count(t.Messages) + (t.Complete ? "" : "*");
    }

    private static MarkdownTable Latency(TargetResults? kora, TargetResults? mock, BenchProfile profile)
    {
        var table = new MarkdownTable(2, "Partitions", "Target", "Sent msg/s", "Ack p50", "Ack p99", "Ack p99.9", "E2E p50", "E2E p99", "E2E p99.9", "E2E samples", "Failed");
        foreach (var partitions in profile.LatencyPartitions)
        {
            var k = kora?.Latency.FirstOrDefault(l => l.Partitions == partitions);
            var m = mock?.Latency.FirstOrDefault(l => l.Partitions == partitions);
            var label = Invariant($"{partitions}");
            if (kora is not null)
            {
                table.Add([label, "Kora", .. Row(k)]);
            }
            if (mock is not null)
            {
                table.Add([label, "Mock", .. Row(m)]);
            }
            if (kora is not null && mock is not null)
            {
                table.Add(label, "Kora/mock", Format.Ratio(k?.AchievedMessagesPerSecond, m?.AchievedMessagesPerSecond),
                    Format.Ratio(k?.ProduceAck?.P50, m?.ProduceAck?.P50), Format.Ratio(k?.ProduceAck?.P99, m?.ProduceAck?.P99),
                    Format.Ratio(k?.ProduceAck?.P999, m?.ProduceAck?.P999), Format.Ratio(k?.EndToEnd?.P50, m?.EndToEnd?.P50),
                    Format.Ratio(k?.EndToEnd?.P99, m?.EndToEnd?.P99), Format.Ratio(k?.EndToEnd?.P999, m?.EndToEnd?.P999), "", "");
            }
        }
        return table;

        static string[] Row(LatencyResult? r) => r is null || r.Error is not null
            ? [.. Enumerable.Repeat(Format.Missing, 9)]
            :
            [
                Format.Count(r.AchievedMessagesPerSecond),
                Format.Milliseconds(r.ProduceAck?.P50), Format.Milliseconds(r.ProduceAck?.P99), Format.Milliseconds(r.ProduceAck?.P999),
                Format.Milliseconds(r.EndToEnd?.P50), Format.Milliseconds(r.EndToEnd?.P99), Format.Milliseconds(r.EndToEnd?.P999),
                Invariant($"{r.Received:N0} of {r.Acked:N0}"),
                Format.Count(r.Failed),
            ];
    }

    private static MarkdownTable Resources(TargetResults? kora, TargetResults? mock)
    {
        var table = new MarkdownTable(1, "Measure", "Kora", "Mock", "Kora/mock");
        Row("CPU seconds", r => r.Resources?.CpuSeconds, v => Format.Decimal(v));
        Row("CPU cores (average)", r => r.Resources is { } u ? u.CpuSeconds / u.WallSeconds : null, v => Format.Decimal(v, 2));
        Row("Peak RSS (VmHWM)", r => r.Resources?.PeakRssBytes, Megabytes);
        var partitions = (kora?.PartitionMemory ?? mock?.PartitionMemory)?.Partitions ?? 1000;
        Row(Invariant($"{partitions:N0} partitions: RSS (VmRSS)"), r => r.PartitionMemory?.RssBytes, Megabytes);
        Row(Invariant($"{partitions:N0} partitions: peak RSS (VmHWM)"), r => r.PartitionMemory?.PeakRssBytes, Megabytes);
        return table;

        void Row(string label, Func<TargetResults, double?> value, Func<double?, string> format)
        {
            var k = kora is null ? null : value(kora);
            var m = mock is null ? null : value(mock);
            table.Add(label, format(k), format(m), Format.Ratio(k, m));
        }

        static string Megabytes(double? bytes) => Format.Megabytes((long?)bytes);
    }

    private static MarkdownTable Groups(TargetResults? kora, TargetResults? mock)
    {
        var table = new MarkdownTable(1, "Measure", "Kora", "Mock", "Kora/mock");
        var k = kora?.Groups;
        var m = mock?.Groups;
        Row("10 members / 100 partitions: join, median (s)", r => Median(r.JoinSeconds), v => Format.Decimal(v, 2));
        Row("10 members / 100 partitions: join, max (s)", r => r.JoinSeconds.Count > 0 ? r.JoinSeconds.Max() : null, v => Format.Decimal(v, 2));
        Row("one member leaves: redistributed, median (s)", r => Median(r.LeaveSeconds), v => Format.Decimal(v, 2));
        Row("sync commits of 1 offset per second", r => r.CommitsPerSecond, Format.Count);
        Row("sync commit p50 (ms)", r => r.CommitLatency?.P50, Format.Milliseconds);
        Row("sync commit p99 (ms)", r => r.CommitLatency?.P99, Format.Milliseconds);
        Row("offsets per second in 100-offset commits", r => r.BatchOffsetsPerSecond, Format.Count);
        return table;

        void Row(string label, Func<GroupResult, double?> value, Func<double?, string> format)
        {
            var kv = k is null ? null : value(k);
            var mv = m is null ? null : value(m);
            table.Add(label, format(kv), format(mv), Format.Ratio(kv, mv));
        }

        static double? Median(IReadOnlyList<double> values) => values.Count == 0 ? null : values.Order().ElementAt(values.Count / 2);
    }

    private static MarkdownTable Transactions(TargetResults? kora, TargetResults? mock)
    {
        var table = new MarkdownTable(1, "Target", "Idempotent msg/s", "Idempotent MB/s", "Transactional msg/s", "Transactional MB/s", "Transactions", "Transactional / idempotent");
        foreach (var target in new[] { kora, mock })
        {
            if (target is null)
            {
                continue;
            }
            var t = target.Transactions;
            table.Add(target.Target, Format.Count(t?.Idempotent?.MessagesPerSecond), Format.Decimal(t?.Idempotent?.MegabytesPerSecond),
                Format.Count(t?.Transactional?.MessagesPerSecond), Format.Decimal(t?.Transactional?.MegabytesPerSecond),
                Format.Count(t?.Transactions), Format.Ratio(t?.Transactional?.MessagesPerSecond, t?.Idempotent?.MessagesPerSecond));
        }
        return table;
    }

    private static void Problems(StringBuilder text, BenchReport report)
    {
        var any = false;
        foreach (var target in report.Targets)
        {
            var problems = (target.StartError is { } s ? [$"could not start: {s}"] : Array.Empty<string>()).Concat(target.Problems).ToList();
            if (problems.Count == 0 && target.TargetLog.Count == 0)
            {
                continue;
            }
            if (!any)
            {
                text.AppendLine("## Problems").AppendLine();
                any = true;
            }
            text.AppendLine(Invariant($"### {target.Target}")).AppendLine();
            foreach (var problem in problems)
            {
                text.AppendLine("- " + problem.ReplaceLineEndings(" "));
            }
            if (target.TargetLog.Count > 0)
            {
                text.AppendLine().AppendLine(Invariant($"{target.Target} process warnings/errors (verbatim):")).AppendLine().AppendLine("```");
                foreach (var line in target.TargetLog)
                {
                    text.AppendLine(line);
                }
                text.AppendLine("```");
            }
            text.AppendLine();
        }
    }

    private static void Section(StringBuilder text, string title, MarkdownTable table) => Section(text, title, null, table);

    private static void Section(StringBuilder text, string title, string? description, MarkdownTable table)
    {
        text.AppendLine("## " + title).AppendLine();
        if (description is not null)
        {
            text.AppendLine(description).AppendLine();
        }
        text.AppendLine(table.Render());
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
