using System.Globalization;
using System.Net;

namespace Kora.Raft.Network;

/// <summary>Kafka's <c>controller.quorum.voters</c>: <c>id@host:port</c> entries separated by commas.</summary>
public static class QuorumVoters
{
    public static IReadOnlyDictionary<int, EndPoint> Parse(string voters)
    {
        var result = new SortedDictionary<int, EndPoint>();
        foreach (var entry in voters.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = entry.IndexOf('@', StringComparison.Ordinal);
            var colon = entry.LastIndexOf(':');
            if (at <= 0 || colon <= at + 1
                || !int.TryParse(entry.AsSpan(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                || !int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is <= 0 or > 65535)
            {
                throw new FormatException($"Invalid controller.quorum.voters entry '{entry}': expected id@host:port.");
            }
            var host = entry[(at + 1)..colon].Trim('[', ']');
            EndPoint endPoint = IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
            if (!result.TryAdd(id, endPoint))
            {
                throw new FormatException($"Voter {id} appears twice in controller.quorum.voters.");
            }
        }
        if (result.Count == 0)
        {
            throw new FormatException("controller.quorum.voters names no voter.");
        }
        return result;
    }
}
