using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kora.Protocol.Messages;

namespace Kora.Cluster.Bench;

/// <summary>Three controllers (node ids 1-3) and three brokers (101-103) on free ports chosen up front, data in one scratch folder.</summary>
public sealed class Fleet : IAsyncDisposable
{
    private readonly string _root;

    private Fleet(string root, List<NodeProcess> controllers, List<NodeProcess> brokers)
    {
        _root = root;
        Controllers = controllers;
        Brokers = brokers;
    }

    /// <summary>The data directory of broker <paramref name="nodeId"/>: one folder per hosted partition.</summary>
    public string BrokerDataDir(int nodeId) => Path.Combine(_root, $"broker-{nodeId}");

    public IReadOnlyList<NodeProcess> Controllers { get; }
    public IReadOnlyList<NodeProcess> Brokers { get; }
    public string BootstrapServers => string.Join(",", Brokers.Select(b => $"127.0.0.1:{b.KafkaEndPoint.Port}"));

    public static async Task<Fleet> StartAsync(string repositoryRoot)
    {
        var root = Path.Combine(Path.GetTempPath(), "kora-cluster-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = FreePorts(6);
        var voters = string.Join(",", Enumerable.Range(0, 3).Select(i => $"{i + 1}@127.0.0.1:{ports[i]}"));
        string Dll(string project) => Path.Combine(repositoryRoot, project, "bin", "Release", "net10.0", project + ".dll");
        var controllers = Enumerable.Range(0, 3).Select(i => new NodeProcess($"controller-{i + 1}", Dll("Kora.Controller"), "KORA_CONTROLLER_READY ",
        [
            $"--Kora:Controller:NodeId={i + 1}", $"--Kora:Controller:Listener=127.0.0.1:{ports[i]}", "--Kora:Controller:HttpListener=127.0.0.1:0",
            $"--Kora:Controller:QuorumVoters={voters}", $"--Kora:Controller:DataDir={Path.Combine(root, $"controller-{i + 1}")}",
        ], ports[i])).ToList();
        var brokers = Enumerable.Range(0, 3).Select(i => new NodeProcess($"broker-{101 + i}", Dll("Kora.Broker"), "KORA_BROKER_READY ",
        [
            $"--Kora:Broker:NodeId={101 + i}", $"--Kora:Broker:Listener=127.0.0.1:{ports[3 + i]}", "--Kora:Broker:HttpListener=127.0.0.1:0",
            $"--Kora:Broker:ControllerQuorumVoters={voters}", $"--Kora:Broker:DataDir={Path.Combine(root, $"broker-{101 + i}")}",
        ], ports[3 + i])).ToList();
        var fleet = new Fleet(root, controllers, brokers);
        try
        {
            await Task.WhenAll(controllers.Select(c => c.StartAsync(TimeSpan.FromSeconds(60)))).ConfigureAwait(false);
            await Task.WhenAll(brokers.Select(b => b.StartAsync(TimeSpan.FromSeconds(120)))).ConfigureAwait(false);
        }
        catch
        {
            await fleet.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return fleet;
    }

    /// <summary>The controller that says it leads, asking every running one until <paramref name="timeout"/>.</summary>
    public async Task<NodeProcess> LeaderAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var controller in Controllers.Where(c => c.IsRunning))
            {
                try
                {
                    var response = await Wire.SendAsync<DescribeQuorumResponse>(controller.KafkaEndPoint, DescribeQuorumRequest.ApiKey, 2, new DescribeQuorumRequest
                    {
                        Topics = [new DescribeQuorumRequest.TopicData { TopicName = "__cluster_metadata", Partitions = [new DescribeQuorumRequest.PartitionData { PartitionIndex = 0 }] }],
                    }, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                    var partition = response.Topics.Single().Partitions.Single();
                    if (response.ErrorCode == 0 && partition.ErrorCode == 0 && partition.LeaderId == ControllerId(controller))
                    {
                        return controller;
                    }
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
                {
                }
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException("No controller leads.");
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>The topic names one broker itself reports.</summary>
    public static async Task<HashSet<string>> TopicsAsync(NodeProcess broker)
    {
        var response = await Wire.SendAsync<MetadataResponse>(broker.KafkaEndPoint, MetadataRequest.ApiKey, 12,
            new MetadataRequest { Topics = null, AllowAutoTopicCreation = false }, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return response.Topics.Select(t => t.Name!).ToHashSet(StringComparer.Ordinal);
    }

    private static int ControllerId(NodeProcess controller) => int.Parse(controller.Name["controller-".Length..], CultureInfo.InvariantCulture);

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Brokers.Concat(Controllers))
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
