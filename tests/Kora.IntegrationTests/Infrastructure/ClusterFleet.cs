using System.Diagnostics;
using Confluent.Kafka;

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
        int brokers = 3, IDictionary<string, string>? controllerSettings = null, IDictionary<string, string>? brokerSettings = null)
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
        return WaitUntilAsync(
            () => Brokers.Where(b => b.IsRunning).All(b => Describe(b).Brokers.Select(x => x.BrokerId).Order().SequenceEqual(expected)),
            timeout, Output);
    }

    public BrokerProcess Broker(int nodeId) => Brokers[nodeId - FirstBrokerId];

    /// <summary>Metadata of every topic as <paramref name="broker"/> reports it.</summary>
    public static Metadata Describe(BrokerProcess broker)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10));
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<TimeSpan> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
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
