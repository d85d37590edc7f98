using Kora.Broker.Cluster;
using Kora.Metadata;
using Kora.Protocol.MetadataRecords;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Metadata;

/// <summary>
/// Runs topic changes (<see cref="TopicChanges"/>): on a single node the broker commits the records to its
/// own metadata log; with a controller quorum they go to the active controller (<see cref="ForwardingAdmin"/>).
/// </summary>
public sealed class TopicAdmin(MetadataStore store, IOptions<BrokerOptions> options, ForwardingAdmin? forward = null)
{
    private readonly BrokerOptions _options = options.Value;

    public MetadataImage Image => store.Image;

    /// <summary>
    /// The replication factor to create an internal topic with: the configured one, as Kafka does, so with
    /// fewer registered brokers the controller refuses it and the coordinator stays unavailable until they
    /// join. A standalone broker, which never has more brokers than itself, uses what it has.
    /// </summary>
    public short InternalReplicationFactor(short configured) =>
        forward is not null ? configured : (short)Math.Clamp(store.Image.Brokers.Count, 1, Math.Max((int)configured, 1));

    /// <summary>Creates one topic. <paramref name="assignments"/> maps partition to replica broker ids when given.</summary>
    public ValueTask<TopicChangeResult> CreateTopicAsync(TopicSpec spec, bool validateOnly, CancellationToken cancellation) =>
        forward is not null ? forward.CreateTopicAsync(spec, validateOnly, cancellation) : store.WriteAsync(image => TopicChanges.Create(image, spec, _options, validateOnly), cancellation);

    /// <summary>Creates several topics; in cluster mode in one request to the controller, which commits them together.</summary>
    public async ValueTask<IReadOnlyList<TopicChangeResult>> CreateTopicsAsync(IReadOnlyList<TopicSpec> specs, bool validateOnly, CancellationToken cancellation)
    {
        if (forward is not null)
        {
            return specs.Count == 0 ? [] : await forward.CreateTopicsAsync(specs, validateOnly, cancellation).ConfigureAwait(false);
        }
        var results = new List<TopicChangeResult>(specs.Count);
        foreach (var spec in specs)
        {
            results.Add(await CreateTopicAsync(spec, validateOnly, cancellation).ConfigureAwait(false));
        }
        return results;
    }

    public ValueTask<TopicChangeResult> DeleteTopicAsync(string? name, Guid? id, CancellationToken cancellation) =>
        forward is not null ? forward.DeleteTopicAsync(name, id, cancellation) : store.WriteAsync(image => TopicChanges.Delete(image, name, id), cancellation);

    public ValueTask<TopicChangeResult> CreatePartitionsAsync(string name, int count, List<int[]>? assignments, bool validateOnly, CancellationToken cancellation) =>
        forward is not null ? forward.CreatePartitionsAsync(name, count, assignments, validateOnly, cancellation) : store.WriteAsync(image => TopicChanges.CreatePartitions(image, name, count, assignments, validateOnly), cancellation);

    /// <summary>Replaces or edits a topic's config overrides; <paramref name="change"/> computes the new overrides from the old.</summary>
    public ValueTask<TopicChangeResult> AlterTopicConfigsAsync(
        string name,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Overrides, string? Error)> change,
        bool validateOnly,
        CancellationToken cancellation) =>
        forward is not null ? forward.AlterTopicConfigsAsync(name, change, validateOnly, cancellation) : store.WriteAsync(image => TopicChanges.AlterTopicConfigs(image, name, change, validateOnly), cancellation);

    /// <summary>
    /// Registers this broker on a single node (a new incarnation each start) so the image lists where
    /// clients reach it; in cluster mode <see cref="BrokerLifecycle"/> registers with the controller.
    /// </summary>
    public ValueTask<bool> RegisterBrokerAsync(int nodeId, string host, int port, string? rack, CancellationToken cancellation) =>
        store.WriteAsync(image =>
        {
            var epoch = image.Brokers.TryGetValue(nodeId, out var existing) ? existing.Epoch + 1 : 0;
            var record = new RegisterBrokerRecord
            {
                BrokerId = nodeId,
                IncarnationId = Guid.NewGuid(),
                BrokerEpoch = epoch,
                EndPoints = [new RegisterBrokerRecord.BrokerEndpoint { Name = "PLAINTEXT", Host = host, Port = (ushort)port, SecurityProtocol = 0 }],
                Rack = rack,
                Fenced = false,
            };
            return new MetadataDecision<bool>([record], true);
        }, cancellation);
}
