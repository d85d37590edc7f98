using System.Diagnostics;
using System.Globalization;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.IntegrationTests.Infrastructure;

/// <summary>
/// Three controller processes forming one metadata quorum on ports chosen up front, with helpers that
/// speak the controller APIs over the Kafka protocol: who leads (DescribeQuorum), create a topic
/// (CreateTopics), and a broker registration so topics have somewhere to be placed.
/// </summary>
public sealed class ControllerQuorum : IAsyncDisposable
{
    private readonly string _root;

    // A real broker keeps the connection carrying its heartbeats open; the active controller fences a broker soon after it closes.
    private readonly List<RawKafkaClient> _brokerConnections = [];

    private ControllerQuorum(string root, List<ControllerProcess> controllers)
    {
        _root = root;
        Controllers = controllers;
    }

    public IReadOnlyList<ControllerProcess> Controllers { get; }

    public static async Task<ControllerQuorum> StartAsync(IDictionary<string, string>? settings = null, int size = 3)
    {
        var root = Path.Combine(Path.GetTempPath(), "kora-quorum-" + Guid.NewGuid().ToString("N")[..12]);
        var ports = ControllerProcess.FreePorts(size);
        var voters = string.Join(",", ports.Select((port, i) => $"{i + 1}@127.0.0.1:{port}"));
        var controllers = ports.Select((port, i) => new ControllerProcess(i + 1, port, voters, Path.Combine(root, $"controller-{i + 1}"), settings)).ToList();
        var quorum = new ControllerQuorum(root, controllers);
        try
        {
            await Task.WhenAll(controllers.Select(c => c.StartAsync())).ConfigureAwait(false);
        }
        catch
        {
            await quorum.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return quorum;
    }

    public ControllerProcess Get(int nodeId) => Controllers[nodeId - 1];

    /// <summary>The controller that answers DescribeQuorum as leader, asking every running one until <paramref name="timeout"/>.</summary>
    public async Task<ControllerProcess> LeaderAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var controller in Controllers.Where(c => c.IsRunning))
            {
                if (await DescribeLeaderAsync(controller).ConfigureAwait(false) == controller.NodeId)
                {
                    return controller;
                }
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException("No controller leads:\n" + string.Join("\n---\n", Controllers.Select(c => c.Output)));
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>The leader a controller reports in DescribeQuorum, or null when it does not lead or cannot be reached.</summary>
    public static async Task<int?> DescribeLeaderAsync(ControllerProcess controller)
    {
        try
        {
            await using var client = await RawKafkaClient.ConnectAsync(controller.KafkaEndPoint).ConfigureAwait(false);
            var response = await client.SendAsync<DescribeQuorumResponse>(DescribeQuorumRequest.ApiKey, 2, new DescribeQuorumRequest
            {
                Topics = [new DescribeQuorumRequest.TopicData { TopicName = "__cluster_metadata", Partitions = [new DescribeQuorumRequest.PartitionData { PartitionIndex = 0 }] }],
            }, flexibleRequest: true, flexibleResponse: true).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            var partition = response.Topics.Single().Partitions.Single();
            return response.ErrorCode == 0 && partition.ErrorCode == 0 ? partition.LeaderId : null;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or TimeoutException)
        {
            return null;
        }
    }

    public static async Task<CreateTopicsResponse.CreatableTopicResult> CreateTopicAsync(ControllerProcess controller, string name, int partitions = 1, short replicationFactor = 1)
    {
        await using var client = await RawKafkaClient.ConnectAsync(controller.KafkaEndPoint).ConfigureAwait(false);
        var response = await client.SendAsync<CreateTopicsResponse>(CreateTopicsRequest.ApiKey, 7, new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = replicationFactor }],
            timeoutMs = 10_000,
        }, flexibleRequest: true, flexibleResponse: true).WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        return response.Topics.Single();
    }

    /// <summary>Registers broker <paramref name="brokerId"/> at the leader and heartbeats it unfenced, so topics can be placed on it; returns its broker epoch.</summary>
    public async Task<long> RegisterBrokerAsync(int brokerId)
    {
        var leader = await LeaderAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var client = await RawKafkaClient.ConnectAsync(leader.KafkaEndPoint).ConfigureAwait(false);
        _brokerConnections.Add(client);
        var registered = await client.SendAsync<BrokerRegistrationResponse>(BrokerRegistrationRequest.ApiKey, 4, new BrokerRegistrationRequest
        {
            BrokerId = brokerId,
            ClusterId = "",
            IncarnationId = Guid.NewGuid(),
            Listeners = [new BrokerRegistrationRequest.Listener { Name = "PLAINTEXT", Host = "127.0.0.1", Port = (ushort)(19000 + brokerId), SecurityProtocol = 0 }],
            Rack = null,
        }, flexibleRequest: true, flexibleResponse: true).ConfigureAwait(false);
        Assert.Equal(0, registered.ErrorCode);
        var heartbeat = await client.SendAsync<BrokerHeartbeatResponse>(BrokerHeartbeatRequest.ApiKey, 1, new BrokerHeartbeatRequest
        {
            BrokerId = brokerId,
            BrokerEpoch = registered.BrokerEpoch,
            CurrentMetadataOffset = long.MaxValue,
        }, flexibleRequest: true, flexibleResponse: true).ConfigureAwait(false);
        Assert.Equal(0, heartbeat.ErrorCode);
        Assert.False(heartbeat.IsFenced);
        return registered.BrokerEpoch;
    }

    /// <summary>Waits until every running controller's committed image lists <paramref name="topics"/>.</summary>
    public async Task WaitForTopicsEverywhereAsync(IReadOnlyCollection<string> topics, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var missing = new List<string>();
            foreach (var controller in Controllers.Where(c => c.IsRunning))
            {
                var known = await controller.TopicNamesAsync().ConfigureAwait(false);
                missing.AddRange(topics.Except(known).Select(t => $"{t} on controller {controller.NodeId}"));
            }
            if (missing.Count == 0)
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException("Still missing: " + string.Join(", ", missing.Take(10)));
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms";

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _brokerConnections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var controller in Controllers)
        {
            await controller.DisposeAsync().ConfigureAwait(false);
        }
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
