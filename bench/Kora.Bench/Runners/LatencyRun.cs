using System.Diagnostics;
using Confluent.Kafka;
using Kora.Bench.Kafka;
using Kora.Bench.Results;
using Kora.Bench.Stats;

namespace Kora.Bench.Runners;

/// <summary>
/// One paced latency run: a producer thread sends at a fixed rate (bursts each ~1 ms, since a
/// 1 ms sleep is the finest pacing that doesn't burn a core), each message stamped with its
/// Stopwatch send time; a consumer in this process, assigned to every partition at the end,
/// stamps the receive time. The first <see cref="BenchProfile.LatencyWarmupSeconds"/> are not measured.
/// </summary>
internal sealed class LatencyRun(string bootstrapServers, string topic, int partitions, BenchProfile profile)
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    /// <summary>After the last send, wait for the consumer until it has seen no new message for this long.</summary>
    private static readonly TimeSpan ConsumerIdleTimeout = TimeSpan.FromSeconds(2);
    private readonly long _runId = Random.Shared.NextInt64();
    private readonly LatencyRecorder _ack = new(Capacity(profile), (int)Math.Ceiling(profile.LatencySeconds));
    private readonly LatencyRecorder _endToEnd = new(Capacity(profile), (int)Math.Ceiling(profile.LatencySeconds));
    private long _measureFrom;
    private readonly ClientMessages _clientMessages = new();
    private long _sent;
    private long _failed;
    private string? _firstDeliveryError;
    private volatile bool _stopConsumer;

    /// <summary>Client-side warnings and errors (producer, consumer), first few, verbatim.</summary>
    public IReadOnlyList<string> Errors => _clientMessages.Snapshot();

    public LatencyResult Execute(CancellationToken cancellation)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(ProducerConfig())
            .SetErrorHandler((_, e) => _clientMessages.OnError("producer", e))
            .SetLogHandler((_, m) => _clientMessages.OnLog("producer", m))
            .Build();
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(ConsumerConfig())
            .SetErrorHandler((_, e) => _clientMessages.OnError("consumer", e))
            .SetLogHandler((_, m) => _clientMessages.OnLog("consumer", m))
            .Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.End)));
        var consumerThread = new Thread(() => ConsumeLoop(consumer)) { IsBackground = true, Name = "latency-consumer" };
        consumerThread.Start();
        try
        {
            var measuredSeconds = Pace(producer, cancellation);
            producer.Flush(FlushTimeout);
            WaitForConsumer(cancellation);
            return new LatencyResult(
                partitions, profile.LatencyMessageSize, profile.LatencyMessagesPerSecond, _sent / measuredSeconds, measuredSeconds,
                _sent, _ack.Count, Interlocked.Read(ref _failed), _endToEnd.Count, _ack.Summarise(), _endToEnd.Summarise(),
                _ack.WorstPerSecond(), _endToEnd.WorstPerSecond(), TargetCpuSeconds: 0, _firstDeliveryError, Error: null);
        }
        finally
        {
            _stopConsumer = true;
            consumerThread.Join();
            consumer.Close();
        }
    }

    private void WaitForConsumer(CancellationToken cancellation)
    {
        var seen = _endToEnd.Count;
        var lastProgress = Stopwatch.StartNew();
        while (seen < _ack.Count && lastProgress.Elapsed < ConsumerIdleTimeout)
        {
            cancellation.ThrowIfCancellationRequested();
            Thread.Sleep(10);
            if (_endToEnd.Count != seen)
            {
                seen = _endToEnd.Count;
                lastProgress.Restart();
            }
        }
    }

    /// <summary>Sends at the configured rate for warm-up + measured time; returns the measured seconds.</summary>
    private double Pace(IProducer<Null, byte[]> producer, CancellationToken cancellation)
    {
        var frequency = (double)Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = _measureFrom = start + (long)(profile.LatencyWarmupSeconds * frequency);
        var end = measureFrom + (long)(profile.LatencySeconds * frequency);
        long produced = 0;
        for (var now = start; now < end; now = Stopwatch.GetTimestamp())
        {
            cancellation.ThrowIfCancellationRequested();
            var due = (long)((now - start) / frequency * profile.LatencyMessagesPerSecond);
            for (; produced < due; produced++)
            {
                var sendTicks = Stopwatch.GetTimestamp();
                var measured = sendTicks >= measureFrom && sendTicks < end;
                Send(producer, sendTicks, measured);
            }
            Thread.Sleep(1);
        }
        return (end - measureFrom) / frequency;
    }

    private void Send(IProducer<Null, byte[]> producer, long sendTicks, bool measured)
    {
        var message = new Message<Null, byte[]> { Value = LatencyPayload.Create(profile.LatencyMessageSize, _runId, sendTicks, measured) };
        try
        {
            producer.Produce(topic, message, measured ? report => OnDelivery(report, sendTicks) : null);
            if (measured)
            {
                _sent++;
            }
        }
        catch (ProduceException<Null, byte[]> e)
        {
            if (measured)
            {
                _sent++;
                Interlocked.Increment(ref _failed);
                _firstDeliveryError ??= $"produce call: {e.Error.Code}: {e.Error.Reason}";
            }
        }
    }

    private void OnDelivery(DeliveryReport<Null, byte[]> report, long sendTicks)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failed);
            _firstDeliveryError ??= $"{report.Error.Code}: {report.Error.Reason}";
            return;
        }
        _ack.Add(Stopwatch.GetTimestamp() - sendTicks, SecondOf(sendTicks));
    }

    private void ConsumeLoop(IConsumer<Ignore, byte[]> consumer)
    {
        while (!_stopConsumer)
        {
            ConsumeResult<Ignore, byte[]>? result;
            try
            {
                result = consumer.Consume(100);
            }
            catch (ConsumeException e)
            {
                _clientMessages.OnError("consumer", e.Error);
                continue;
            }
            if (result?.Message?.Value is { } value && LatencyPayload.MeasuredSendTicks(value, _runId) is { } sendTicks)
            {
                _endToEnd.Add(Stopwatch.GetTimestamp() - sendTicks, SecondOf(sendTicks));
            }
        }
    }

    private int SecondOf(long sendTicks) => (int)((sendTicks - _measureFrom) / Stopwatch.Frequency);

    private ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = bootstrapServers,
        ClientId = "kora-bench-latency-producer",
        Acks = Acks.All,
        LingerMs = 1,
        EnableIdempotence = false,
        CompressionType = CompressionType.None,
    };

    private ConsumerConfig ConsumerConfig() => new()
    {
        BootstrapServers = bootstrapServers,
        ClientId = "kora-bench-latency-consumer",
        GroupId = "kora-bench-latency", // required by the client; offsets are assigned, never committed
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        EnablePartitionEof = false,
    };

    private static int Capacity(BenchProfile profile) =>
        (int)(profile.LatencyMessagesPerSecond * profile.LatencySeconds * 1.1);
}
