using System.Globalization;
using Kora.AppHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace Kora.AppHost.Fleet;

/// <summary>
/// The shape of the fleet from the command line: <c>--controllers C</c> (the metadata quorum: 1, 3 or 5,
/// default 3; 0 runs every broker as a single-node cluster of its own), <c>--brokers N</c> (default 3),
/// <c>--cells M</c> (default 1; brokers are dealt to cells round-robin) and <c>--port P</c>, the first
/// broker's Kafka port (default 9092; broker n gets P+n-1; 0 lets the host choose free ports).
/// </summary>
public sealed record FleetOptions(int Brokers, int Cells, int FirstKafkaPort)
{
    /// <summary>Controllers are numbered from here (as in Kafka's own examples), apart from brokers 1..N.</summary>
    public const int FirstControllerId = 3001;

    public int Controllers { get; init; } = 3;

    public static FleetOptions From(IConfiguration configuration)
    {
        var controllers = Integer(configuration, "controllers", 3);
        if (controllers is not (0 or 1 or 3 or 5))
        {
            throw new UsageException($"--controllers must be 1, 3 or 5 (or 0 for standalone brokers; got {controllers}).");
        }
        var brokers = Integer(configuration, "brokers", 3);
        var cells = Integer(configuration, "cells", 1);
        var port = Integer(configuration, "port", 9092);
        if (brokers < 1)
        {
            throw new UsageException($"--brokers must be at least 1 (got {brokers}).");
        }
        if (cells < 1 || cells > brokers)
        {
            throw new UsageException($"--cells must be between 1 and the number of brokers, {brokers} (got {cells}).");
        }
        if (port < 0 || (port > 0 && port + brokers - 1 > 65535))
        {
            throw new UsageException($"--port {port} leaves no room for {brokers} brokers' ports below 65536.");
        }
        return new FleetOptions(brokers, cells, port) { Controllers = controllers };
    }

    /// <summary>Controller node ids, <see cref="FirstControllerId"/> onwards.</summary>
    public IEnumerable<int> ControllerIds => Enumerable.Range(FirstControllerId, Controllers);

    /// <summary>
    /// The replication factor of the fleet's topics, user and internal alike: 3 as Confluent Cloud runs them, so
    /// a topic survives the loss of a broker; fewer only when there are fewer brokers, and 1 for standalone
    /// brokers, each a cluster of its own.
    /// </summary>
    public int ReplicationFactor => Controllers == 0 ? 1 : Math.Min(3, Brokers);

    /// <summary>min.insync.replicas: 2 with three replicas (an acknowledged write is on two brokers), else 1.</summary>
    public int MinInsyncReplicas => ReplicationFactor >= 3 ? 2 : 1;

    /// <summary>Brokers 1..N are numbered as Kafka node ids.</summary>
    public IEnumerable<int> BrokerIds => Enumerable.Range(1, Brokers);

    /// <summary>The cell (1..M) of a broker, dealt round-robin.</summary>
    public int CellOf(int nodeId) => ((nodeId - 1) % Cells) + 1;

    /// <summary>The broker's Kafka port, or null for a free one.</summary>
    public int? KafkaPortOf(int nodeId) => FirstKafkaPort == 0 ? null : FirstKafkaPort + nodeId - 1;

    private static int Integer(IConfiguration configuration, string key, int fallback) =>
        configuration[key] is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new UsageException($"--{key} must be a whole number (got '{text}').");
}
