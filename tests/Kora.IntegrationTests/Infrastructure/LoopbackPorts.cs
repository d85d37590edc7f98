using System.Net;
using System.Net.Sockets;

namespace Kora.IntegrationTests.Infrastructure;

/// <summary>
/// Ports for servers whose addresses must be known before they start (a quorum's voters, brokers' listeners).
/// Picked below the kernel's ephemeral range: a port the kernel hands out (bind to 0) is also what it gives the
/// next outgoing connection, which can take it in the second before the server binds it. Each port is checked
/// free and never handed out twice by this test process.
/// </summary>
public static class LoopbackPorts
{
    private const int Lowest = 10_000;
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    public static int[] Reserve(int count)
    {
        var (first, last) = Range();
        var ports = new int[count];
        lock (Gate)
        {
            for (var i = 0; i < count; i++)
            {
                while (true)
                {
                    var port = Random.Shared.Next(first, last + 1);
                    if (!HandedOut.Contains(port) && IsFree(port))
                    {
                        HandedOut.Add(port);
                        ports[i] = port;
                        break;
                    }
                }
            }
        }
        return ports;
    }

    /// <summary>The ports below the ephemeral range (from /proc), or a fixed band when it cannot be read.</summary>
    private static (int First, int Last) Range()
    {
        try
        {
            var bounds = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var ephemeralStart = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
            if (ephemeralStart - 1 > Lowest + 1_000)
            {
                return (Lowest, ephemeralStart - 1);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }
        return (Lowest, 30_000);
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
