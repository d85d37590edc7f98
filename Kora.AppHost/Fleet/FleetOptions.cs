using System.Globalization;
using Kora.AppHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace Kora.AppHost.Fleet;

/// <summary>
/// The shape of the fleet from the command line: <c>--brokers N</c> (default 1), <c>--cells M</c>
/// (default 1; brokers are dealt to cells round-robin) and <c>--port P</c>, the first broker's Kafka
/// port (default 9092; broker n gets P+n-1; 0 lets the host choose free ports).
/// </summary>
public sealed record FleetOptions(int Brokers, int Cells, int FirstKafkaPort)
{
    public static FleetOptions From(IConfiguration configuration)
    {
        var brokers = Integer(configuration, "brokers", 1);
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
        return new FleetOptions(brokers, cells, port);
    }

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
