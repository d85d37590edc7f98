using System.Net;
using System.Net.Sockets;

namespace Kora.AppHost.Hosting.Endpoints;

/// <summary>
/// Chooses each endpoint's loopback port before any process starts. A free port is found by binding
/// port 0 and releasing it; another program could take it before the resource binds it, which on a
/// developer machine is rare enough that the resource's failure to bind is the report.
/// </summary>
internal sealed class PortAllocator
{
    private readonly HashSet<int> _taken = [];

    /// <summary>Claims a port the caller asked for, failing at once if this host or another program already has it.</summary>
    public int Reserve(int port, string owner)
    {
        if (!_taken.Add(port))
        {
            throw new InvalidOperationException($"Port {port} of {owner} is also asked for by another endpoint.");
        }
        if (!IsFree(port))
        {
            throw new UsageException($"Port {port} of {owner} is already in use on {EndpointAnnotation.LoopbackHost}.");
        }
        return port;
    }

    public int AllocateFree()
    {
        while (true)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            if (_taken.Add(port))
            {
                return port;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
