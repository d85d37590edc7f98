using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.Bench.Targets;

namespace Kora.Bench.Kafka;

/// <summary>
/// Creates and deletes benchmark topics through Confluent's AdminClient. librdkafka's mock cluster
/// has no CreateTopics/DeleteTopics: its topics are made at start-up (see <see cref="TopicSpec"/>), so
/// against it this only waits for them to show up in the metadata.
/// </summary>
internal sealed class TopicAdmin(BenchTarget target) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly IAdminClient _admin = new AdminClientBuilder(new AdminClientConfig
    {
        BootstrapServers = target.BootstrapServers,
        ClientId = "kora-bench-admin",
    }).SetLogHandler((_, _) => { }).Build(); // failures surface as exceptions

    /// <summary>Creates the topics (an existing one is fine) and waits until every partition has a leader.</summary>
    public async Task CreateAsync(IReadOnlyCollection<TopicSpec> topics, CancellationToken cancellation)
    {
        if (target.ManagesTopics)
        {
            await RequestCreateAsync(topics, cancellation).ConfigureAwait(false);
        }
        foreach (var topic in topics)
        {
            await WaitForLeadersAsync(topic.Name, topic.Partitions, cancellation).ConfigureAwait(false);
        }
    }

    public Task CreateAsync(string topic, int partitions, CancellationToken cancellation) =>
        CreateAsync([new TopicSpec(topic, partitions)], cancellation);

    public async Task DeleteAsync(IReadOnlyCollection<string> topics, CancellationToken cancellation)
    {
        if (target.ManagesTopics && topics.Count > 0)
        {
            await _admin.DeleteTopicsAsync(topics, new DeleteTopicsOptions { RequestTimeout = RequestTimeout, OperationTimeout = RequestTimeout })
                .WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    private async Task RequestCreateAsync(IReadOnlyCollection<TopicSpec> topics, CancellationToken cancellation)
    {
        try
        {
            await _admin.CreateTopicsAsync(
                topics.Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = 1 }),
                new CreateTopicsOptions { RequestTimeout = RequestTimeout, OperationTimeout = RequestTimeout })
                .WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch (CreateTopicsException e) when (e.Results.All(r =>
            r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
        }
    }

    private async Task WaitForLeadersAsync(string topic, int partitions, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        string state;
        do
        {
            var metadata = _admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.FirstOrDefault(t => t.Topic == topic);
            if (metadata is { Error.Code: ErrorCode.NoError } && metadata.Partitions.Count == partitions
                && metadata.Partitions.All(p => p.Leader >= 0))
            {
                return;
            }
            state = metadata is null
                ? "absent"
                : $"error {metadata.Error.Code}, {metadata.Partitions.Count} partitions, {metadata.Partitions.Count(p => p.Leader >= 0)} with a leader";
            await Task.Delay(200, cancellation).ConfigureAwait(false);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"topic {topic}: expected {partitions} partitions with leaders, metadata says {state}");
    }

    public void Dispose() => _admin.Dispose();
}
