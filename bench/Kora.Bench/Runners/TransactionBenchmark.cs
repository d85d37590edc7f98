using System.Diagnostics;
using Confluent.Kafka;
using Kora.Bench.Kafka;
using Kora.Bench.Results;
using Kora.Bench.Targets;

namespace Kora.Bench.Runners;

/// <summary>
/// Transactional produce throughput as a share of plain idempotent produce: the same Confluent.Kafka
/// producer settings, 1 KiB messages over 12 partitions, once without transactions and once committing a
/// transaction every <see cref="BenchProfile.MessagesPerTransaction"/> messages.
/// </summary>
internal sealed class TransactionBenchmark(BenchProfile profile)
{
    public const string Topic = "bench-transactions";
    public const int Partitions = 12;
    public const int MessageSize = 1024;
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(120);

    public static IReadOnlyList<TopicSpec> Topics => [new(Topic, Partitions)];

    public static IReadOnlyList<string> ProducerSettings => ["enable.idempotence=true", "acks=all", "linger.ms=5"];

    public async Task RunAsync(BenchTarget target, TargetResults results, CancellationToken cancellation)
    {
        using (var admin = new TopicAdmin(target))
        {
            await admin.CreateAsync(Topics, cancellation).ConfigureAwait(false);
        }
        var plain = Run(target, transactional: false, out _, cancellation);
        Log.Info($"{target.Name}: idempotent produce {plain.MessagesPerSecond:N0} msg/s");
        var transactional = Run(target, transactional: true, out var transactions, cancellation);
        Log.Info($"{target.Name}: transactional produce {transactional.MessagesPerSecond:N0} msg/s in {transactions:N0} transactions");
        results.Transactions = new TransactionResult(MessageSize, Partitions, profile.MessagesPerTransaction, plain, transactional, transactions);
    }

    private ThroughputResult Run(BenchTarget target, bool transactional, out int transactions, CancellationToken cancellation)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = target.BootstrapServers,
            ClientId = "kora-bench-transactions",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            TransactionalId = transactional ? $"bench-txn-{Guid.NewGuid():N}" : null,
        };
        string? error = null;
        using var producer = new ProducerBuilder<Null, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        var payload = new byte[MessageSize];
        var message = new Message<Null, byte[]> { Value = payload };
        Action<DeliveryReport<Null, byte[]>> report = r =>
        {
            if (r.Error.IsError)
            {
                error ??= $"{r.TopicPartition}: {r.Error.Code}: {r.Error.Reason}";
            }
        };
        if (transactional)
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
        }
        transactions = 0;
        var total = profile.TransactionMessages;
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < total && !cancellation.IsCancellationRequested;)
        {
            var batch = Math.Min(profile.MessagesPerTransaction, total - sent);
            if (transactional)
            {
                producer.BeginTransaction();
            }
            for (var i = 0; i < batch; i++)
            {
                Produce(producer, message, report);
            }
            sent += batch;
            if (transactional)
            {
                producer.CommitTransaction(FlushTimeout);
                transactions++;
            }
        }
        if (producer.Flush(FlushTimeout) > 0)
        {
            throw new TimeoutException($"messages still undelivered after {FlushTimeout.TotalSeconds:0} s");
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (error is not null)
        {
            throw new InvalidOperationException("delivery failed: " + error);
        }
        return new ThroughputResult(total, (long)total * MessageSize, seconds, Complete: true);
    }

    private static void Produce(IProducer<Null, byte[]> producer, Message<Null, byte[]> message, Action<DeliveryReport<Null, byte[]>> report)
    {
        while (true)
        {
            try
            {
                producer.Produce(Topic, message, report);
                return;
            }
            catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(5));
            }
        }
    }
}
