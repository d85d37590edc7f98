using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Cluster;

/// <summary>
/// Metadata changes in cluster mode: each goes to the active controller (Kafka forwards them the same
/// way) and is answered only once this broker's own image has applied the records it committed, so the
/// client's next Metadata or DescribeConfigs on this broker already sees the change.
/// </summary>
public sealed class ForwardingAdmin(ControllerChannel controller, MetadataObserver observer, BrokerLifecycle lifecycle, IOptions<BrokerOptions> options)
{
    private readonly BrokerOptions _options = options.Value;

    public async ValueTask<TopicChangeResult> CreateTopicAsync(TopicSpec spec, bool validateOnly, CancellationToken cancellation) =>
        (await CreateTopicsAsync([spec], validateOnly, cancellation).ConfigureAwait(false))[0];

    /// <summary>Creates topics in one CreateTopics request: the controller commits all their records as one batch.</summary>
    public async ValueTask<IReadOnlyList<TopicChangeResult>> CreateTopicsAsync(IReadOnlyList<TopicSpec> specs, bool validateOnly, CancellationToken cancellation)
    {
        var request = new CreateTopicsRequest
        {
            Topics = specs.Select(spec => new CreateTopicsRequest.CreatableTopic
            {
                Name = spec.Name,
                NumPartitions = spec.Assignments is { Count: > 0 } ? -1 : spec.NumPartitions,
                ReplicationFactor = spec.Assignments is { Count: > 0 } ? (short)-1 : spec.ReplicationFactor,
                Assignments = spec.Assignments?.Select(a => new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = a.Key, BrokerIds = [.. a.Value] }).ToList() ?? [],
                Configs = spec.Configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value }).ToList(),
            }).ToList(),
            timeoutMs = _options.ControllerRequestTimeoutMs,
            validateOnly = validateOnly,
        };
        try
        {
            var response = await controller.SendAsync<CreateTopicsResponse>(CreateTopicsRequest.ApiKey, 7, flexible: true, request,
                r => r.Topics.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancellation).ConfigureAwait(false);
            var results = response.Topics
                .Select(t => new TopicChangeResult((ErrorCode)t.ErrorCode, t.ErrorMessage, t.TopicId, t.NumPartitions, t.ReplicationFactor) { Name = t.Name })
                .ToList();
            if (!validateOnly && results.Any(r => r.Error == ErrorCode.None))
            {
                await WaitForCommittedAsync(cancellation).ConfigureAwait(false);
            }
            return results;
        }
        catch (TimeoutException e)
        {
            return specs.Select(s => TopicChangeResult.Failed(ErrorCode.RequestTimedOut, e.Message) with { Name = s.Name }).ToList();
        }
    }

    public ValueTask<TopicChangeResult> DeleteTopicAsync(string? name, Guid? id, CancellationToken cancellation) => RunAsync(async () =>
    {
        var response = await controller.SendAsync<DeleteTopicsResponse>(DeleteTopicsRequest.ApiKey, 6, flexible: true, new DeleteTopicsRequest
        {
            Topics = [new DeleteTopicsRequest.DeleteTopicState { Name = name, TopicId = id ?? Guid.Empty }],
            TimeoutMs = _options.ControllerRequestTimeoutMs,
        }, r => r.Responses.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancellation).ConfigureAwait(false);
        var result = response.Responses.Single();
        return new TopicChangeResult((ErrorCode)result.ErrorCode, result.ErrorMessage, result.TopicId, -1, -1) { Name = result.Name };
    }, validateOnly: false, cancellation);

    public ValueTask<TopicChangeResult> CreatePartitionsAsync(string name, int count, List<int[]>? assignments, bool validateOnly, CancellationToken cancellation) => RunAsync(async () =>
    {
        var response = await controller.SendAsync<CreatePartitionsResponse>(CreatePartitionsRequest.ApiKey, 3, flexible: true, new CreatePartitionsRequest
        {
            Topics =
            [
                new CreatePartitionsRequest.CreatePartitionsTopic
                {
                    Name = name,
                    Count = count,
                    Assignments = assignments?.Select(a => new CreatePartitionsRequest.CreatePartitionsAssignment { BrokerIds = [.. a] }).ToList(),
                },
            ],
            TimeoutMs = _options.ControllerRequestTimeoutMs,
            ValidateOnly = validateOnly,
        }, r => r.Results.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancellation).ConfigureAwait(false);
        var result = response.Results.Single();
        return new TopicChangeResult((ErrorCode)result.ErrorCode, result.ErrorMessage, Guid.Empty, count, -1) { Name = name };
    }, validateOnly, cancellation);

    /// <summary>
    /// The new overrides are computed from this broker's image and sent as a whole (AlterConfigs
    /// replaces a topic's overrides), so the controller validates and commits exactly what the client asked for.
    /// </summary>
    public ValueTask<TopicChangeResult> AlterTopicConfigsAsync(
        string name,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Overrides, string? Error)> change,
        bool validateOnly,
        CancellationToken cancellation) => RunAsync(async () =>
    {
        if (observer.Image.Topic(name) is not { } topic)
        {
            return TopicChangeResult.Failed(ErrorCode.UnknownTopicOrPartition, $"Topic {name} does not exist.");
        }
        var (overrides, error) = change(topic.Configs);
        if (overrides is null)
        {
            return TopicChangeResult.Failed(ErrorCode.InvalidConfig, error);
        }
        var response = await controller.SendAsync<AlterConfigsResponse>(AlterConfigsRequest.ApiKey, 2, flexible: true, new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)ConfigResourceType.Topic,
                    ResourceName = name,
                    Configs = overrides.Select(c => new AlterConfigsRequest.AlterableConfig { Name = c.Key, Value = c.Value }).ToList(),
                },
            ],
            ValidateOnly = validateOnly,
        }, r => r.Responses.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancellation).ConfigureAwait(false);
        var result = response.Responses.Single();
        return new TopicChangeResult((ErrorCode)result.ErrorCode, result.ErrorMessage, topic.Id, topic.Partitions.Length, -1) { Name = name };
    }, validateOnly, cancellation);

    /// <summary>
    /// Forwards an admin request that the controller answers whole (ElectLeaders, partition reassignments) and,
    /// when <paramref name="changed"/> says it committed something, waits until this broker's image has it.
    /// Throws <see cref="TimeoutException"/> when no active controller answered in time.
    /// </summary>
    public async ValueTask<TResponse> ForwardAsync<TResponse>(
        short apiKey, short version, bool flexible, IKafkaMessage request, Func<TResponse, bool> notController, Func<TResponse, bool> changed, CancellationToken cancellation)
        where TResponse : IKafkaMessage, new()
    {
        var response = await controller.SendAsync(apiKey, version, flexible, request, notController, cancellation).ConfigureAwait(false);
        if (changed(response))
        {
            await WaitForCommittedAsync(cancellation).ConfigureAwait(false);
        }
        return response;
    }

    /// <summary>Kafka's RPCProducerIdManager: the next block of producer ids from the controller.</summary>
    public async ValueTask<(long Start, int Length)> AllocateProducerIdsAsync(CancellationToken cancellation)
    {
        while (true)
        {
            await lifecycle.Unfenced.WaitAsync(cancellation).ConfigureAwait(false);
            var response = await controller.SendAsync<AllocateProducerIdsResponse>(AllocateProducerIdsRequest.ApiKey, 0, flexible: true, new AllocateProducerIdsRequest
            {
                BrokerId = _options.NodeId,
                BrokerEpoch = lifecycle.BrokerEpoch,
            }, r => r.ErrorCode == (short)ErrorCode.NotController, cancellation).ConfigureAwait(false);
            switch ((ErrorCode)response.ErrorCode)
            {
                case ErrorCode.None:
                    return (response.ProducerIdStart, response.ProducerIdLen);
                case ErrorCode.StaleBrokerEpoch:
                    // The registration is being renewed; the next epoch will do.
                    await Task.Delay(100, cancellation).ConfigureAwait(false);
                    continue;
                default:
                    throw new KafkaProtocolException($"The controller refused producer ids: {(ErrorCode)response.ErrorCode}.");
            }
        }
    }

    /// <summary>
    /// Runs a forwarded change and, when it succeeded, waits until this broker applied the controller's
    /// committed log up to the high watermark it reports afterwards (which covers the change's records).
    /// </summary>
    private async ValueTask<TopicChangeResult> RunAsync(Func<Task<TopicChangeResult>> forward, bool validateOnly, CancellationToken cancellation)
    {
        TopicChangeResult result;
        try
        {
            result = await forward().ConfigureAwait(false);
            if (result.Error == ErrorCode.None && !validateOnly)
            {
                await WaitForCommittedAsync(cancellation).ConfigureAwait(false);
            }
        }
        catch (TimeoutException e)
        {
            return TopicChangeResult.Failed(ErrorCode.RequestTimedOut, e.Message);
        }
        return result;
    }

    private async Task WaitForCommittedAsync(CancellationToken cancellation)
    {
        var response = await controller.SendAsync<DescribeQuorumResponse>(DescribeQuorumRequest.ApiKey, 2, flexible: true, new DescribeQuorumRequest
        {
            Topics = [new DescribeQuorumRequest.TopicData { TopicName = "__cluster_metadata", Partitions = [new DescribeQuorumRequest.PartitionData { PartitionIndex = 0 }] }],
        }, r => r.ErrorCode != 0 || r.Topics.SelectMany(t => t.Partitions).Any(p => p.ErrorCode != 0), cancellation).ConfigureAwait(false);
        var highWatermark = response.Topics.Single().Partitions.Single().HighWatermark;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bounded.CancelAfter(_options.ControllerRequestTimeoutMs);
        try
        {
            await observer.WaitForOffsetAsync(highWatermark - 1, bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"The metadata log did not reach offset {highWatermark} on this broker in time.");
        }
    }
}
