using System.Diagnostics;
using Confluent.Kafka;
using Kora.Protocol.Messages;

namespace Kora.IntegrationTests.Infrastructure;

/// <summary>
/// A real cluster: a quorum of controller processes and broker processes that join it (cluster mode),
/// every port chosen up front. Controllers are node ids 1..n, brokers 101, 102, ...
/// </summary>
public sealed class ClusterFleet : IAsyncDisposable
{
    public const int FirstBrokerId = 101;

    private ClusterFleet(ControllerQuorum quorum, List<BrokerProcess> brokers)
    {
        Quorum = quorum;
        Brokers = brokers;
    }

    public ControllerQuorum Quorum { get; }
    public IReadOnlyList<BrokerProcess> Brokers { get; }

    public string BootstrapServers => string.Join(",", Brokers.Where(b => b.IsRunning).Select(b => b.BootstrapServers));

    public static async Task<ClusterFleet> StartAsync(
        int brokers = 3, IDictionary<string, string>? controllerSettings = null, IDictionary<string, string>? brokerSettings = null,
        Action<int, Dictionary<string, string>>? configureBroker = null)
    {
        var quorum = await ControllerQuorum.StartAsync(controllerSettings).ConfigureAwait(false);
        var voters = quorum.Controllers[0].Voters;
        var ports = ControllerProcess.FreePorts(brokers);
        var processes = new List<BrokerProcess>();
        for (var i = 0; i < brokers; i++)
        {
            var settings = new Dictionary<string, string>(brokerSettings ?? new Dictionary<string, string>())
            {
                ["NodeId"] = (FirstBrokerId + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ControllerQuorumVoters"] = voters,
            };
            configureBroker?.Invoke(FirstBrokerId + i, settings);
            processes.Add(BrokerProcess.Create(settings, kafkaPort: ports[i]));
        }
        var fleet = new ClusterFleet(quorum, processes);
        try
        {
            await Task.WhenAll(processes.Select(b => b.StartAsync())).ConfigureAwait(false);
            await fleet.WaitForBrokersAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        catch
        {
            await fleet.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return fleet;
    }

    /// <summary>Waits until every running broker lists every running broker (each learns of the others' unfencing through the log).</summary>
    public Task<TimeSpan> WaitForBrokersAsync(TimeSpan timeout)
    {
        var expected = Brokers.Select((b, i) => (b, Id: FirstBrokerId + i)).Where(x => x.b.IsRunning).Select(x => x.Id).ToList();
        return WaitUntilAsync(async () =>
        {
            foreach (var broker in Brokers.Where(b => b.IsRunning))
            {
                if (!(await DescribeAsync(broker).ConfigureAwait(false)).Brokers.Select(x => x.BrokerId).Order().SequenceEqual(expected))
                {
                    return false;
                }
            }
            return true;
        }, timeout, Output);
    }

    public BrokerProcess Broker(int nodeId) => Brokers[nodeId - FirstBrokerId];

    /// <summary>
    /// Metadata of every topic as <paramref name="broker"/> itself reports it (a raw request on one
    /// connection: librdkafka would ask whichever broker it likes).
    /// </summary>
    public static async Task<ClusterMetadata> DescribeAsync(BrokerProcess broker)
    {
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint).ConfigureAwait(false);
        var response = await client.SendAsync<MetadataResponse>(MetadataRequest.ApiKey, 12, new MetadataRequest { Topics = null, AllowAutoTopicCreation = false },
            flexibleRequest: true, flexibleResponse: true).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return new ClusterMetadata(
            response.Topics.Select(t => new ClusterTopic(t.Name!, t.Partitions.OrderBy(p => p.PartitionIndex)
                .Select(p => new ClusterPartition(p.PartitionIndex, p.LeaderId, (ErrorCode)p.ErrorCode)).ToList())).ToList(),
            response.Brokers.Select(b => new ClusterBroker(b.NodeId)).ToList());
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(describe());
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
        return clock.Elapsed;
    }

    public string Output() => string.Join("\n---\n", Brokers.Select((b, i) => $"broker {FirstBrokerId + i}:\n{b.Output}")
        .Concat(Quorum.Controllers.Select(c => $"controller {c.NodeId}:\n{c.Output}")));

    public async ValueTask DisposeAsync()
    {
        foreach (var broker in Brokers)
        {
            await broker.DisposeAsync().ConfigureAwait(false);
        }
        await Quorum.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>What one broker's Metadata response says, in Confluent.Kafka's terms.</summary>
public sealed record ClusterMetadata(List<ClusterTopic> Topics, List<ClusterBroker> Brokers);

public sealed record ClusterTopic(string Topic, List<ClusterPartition> Partitions);

public sealed record ClusterPartition(int PartitionId, int Leader, ErrorCode Error);

public sealed record ClusterBroker(int BrokerId);
