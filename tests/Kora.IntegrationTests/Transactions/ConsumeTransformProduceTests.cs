using System.Diagnostics;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Kora.IntegrationTests.Transactions;

/// <summary>
/// Exactly-once processing: a read_committed consume-transform-produce loop over 100,000 messages that commits its
/// input offsets inside each transaction and aborts every 7th one (rewinding to the committed offsets), after which a
/// read_committed reader of the output finds every input message exactly once. Run with a classic group and,
/// shorter, with a consumer-protocol (KIP-848) group, whose member epoch the transactional offset commits carry.
/// </summary>
public class ConsumeTransformProduceTests(TransactionFixture fixture, ITestOutputHelper log) : IClassFixture<TransactionFixture>
{
    private const int Partitions = 4;
    private const int BatchSize = 2_500;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Theory]
    [InlineData(100_000, false)]
    [InlineData(20_000, true)]
    public async Task EveryInputMessage_AppearsExactlyOnceInTheOutput_DespiteAbortedTransactions(int messages, bool consumerProtocol)
    {
        var input = await TransactionFixture.CreateTopicAsync(Bootstrap, "ctp-in", Partitions);
        var output = await TransactionFixture.CreateTopicAsync(Bootstrap, "ctp-out", Partitions);
        Fill(input, messages);

        var group = $"ctp-{Guid.NewGuid():N}";
        var watch = Stopwatch.StartNew();
        var (committedTransactions, abortedTransactions) = RunLoop(input, output, group, messages, consumerProtocol, TimeSpan.FromMinutes(4));
        Assert.True(abortedTransactions >= messages / BatchSize / 8, $"only {abortedTransactions} aborted transactions");

        log.WriteLine($"{messages} messages: {committedTransactions} transactions committed, {abortedTransactions} aborted in {watch.Elapsed}");
        var results = TransactionFixture.ReadAll(Bootstrap, output, Partitions, IsolationLevel.ReadCommitted, messages, TimeSpan.FromMinutes(2));
        var seen = new int[messages];
        foreach (var r in results)
        {
            Assert.StartsWith("T:", r.Message.Value, StringComparison.Ordinal);
            seen[int.Parse(r.Message.Value.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture)]++;
        }
        var missing = seen.Count(n => n == 0);
        var duplicated = seen.Count(n => n > 1);
        Assert.True(missing == 0 && duplicated == 0 && results.Count == messages,
            $"{results.Count} output messages: {missing} inputs missing, {duplicated} duplicated ({committedTransactions} commits, {abortedTransactions} aborts, {watch.Elapsed})");

        // The aborted output is still in the log, only hidden: read_uncommitted sees more than was committed.
        var uncommitted = TransactionFixture.ReadAll(Bootstrap, output, Partitions, IsolationLevel.ReadUncommitted, messages + 1, TimeSpan.FromSeconds(30));
        Assert.True(uncommitted.Count > messages, $"read_uncommitted saw {uncommitted.Count}");

        // The group's committed offsets (made visible by the commit markers) cover the whole input.
        using var check = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = group }).Build();
        var committed = check.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(input, p)), Deadline);
        Assert.Equal(messages, committed.Sum(c => c.Offset.Value));
    }

    private void Fill(string topic, int messages)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap, LingerMs = 10, BatchSize = 256 * 1024 }).Build();
        for (var i = 0; i < messages; i++)
        {
            producer.Produce(new TopicPartition(topic, i % Partitions), new Message<string, string> { Key = $"k{i}", Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        Assert.Equal(0, producer.Flush(Deadline));
    }

    private (int Committed, int Aborted) RunLoop(string input, string output, string group, int messages, bool consumerProtocol, TimeSpan limit)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = group,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 50,
            GroupProtocol = consumerProtocol ? GroupProtocol.Consumer : GroupProtocol.Classic,
        }).Build();
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = Bootstrap,
            TransactionalId = $"ctp-tx-{Guid.NewGuid():N}",
            LingerMs = 5,
            BatchSize = 256 * 1024,
        }).Build();
        producer.InitTransactions(Deadline);
        consumer.Subscribe(input);

        // Where the next transaction starts: the committed position of each partition.
        var committedPositions = Enumerable.Range(0, Partitions).ToDictionary(p => new TopicPartition(input, p), _ => 0L);
        var transactions = 0;
        var aborted = 0;
        var deadline = DateTime.UtcNow + limit;
        while (committedPositions.Values.Sum() < messages)
        {
            Assert.True(DateTime.UtcNow < deadline, $"loop did not finish: {committedPositions.Values.Sum()} of {messages} committed");
            producer.BeginTransaction();
            var positions = new Dictionary<TopicPartition, long>(committedPositions);
            var taken = 0;
            var idle = 0;
            while (taken < BatchSize && idle < 5)
            {
                var result = consumer.Consume(100);
                if (result?.Message is null)
                {
                    idle++;
                    continue;
                }
                idle = 0;
                producer.Produce(new TopicPartition(output, result.Partition.Value), new Message<string, string> { Key = result.Message.Key, Value = "T:" + result.Message.Value });
                positions[result.TopicPartition] = result.Offset.Value + 1;
                taken++;
            }
            transactions++;
            if (transactions % 7 == 0)
            {
                // Flushed first, so the aborted output really is in the log for read_committed to skip.
                producer.Flush(Deadline);
                producer.AbortTransaction(Deadline);
                aborted++;
                foreach (var (partition, offset) in committedPositions)
                {
                    consumer.Seek(new TopicPartitionOffset(partition, offset));
                }
                continue;
            }
            producer.SendOffsetsToTransaction(positions.Select(p => new TopicPartitionOffset(p.Key, p.Value)), consumer.ConsumerGroupMetadata, Deadline);
            producer.CommitTransaction(Deadline);
            committedPositions = positions;
        }
        consumer.Close();
        return (transactions - aborted, aborted);
    }
}
