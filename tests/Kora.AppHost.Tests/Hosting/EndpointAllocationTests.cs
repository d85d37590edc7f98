using System.Net;
using System.Net.Sockets;
using Kora.AppHost.Hosting;
using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Tests.Infrastructure;

namespace Kora.AppHost.Tests.Hosting;

public sealed class EndpointAllocationTests : IDisposable
{
    private readonly TestFleet _fleet = new();

    public void Dispose() => _fleet.Dispose();

    [Fact]
    public void Build_EndpointsWithoutPort_GetDistinctFreeLoopbackPorts()
    {
        var resources = Enumerable.Range(1, 10).Select(i => _fleet.AddScript($"r{i}", "true").WithEndpoint("a").WithHttpEndpoint()).ToList();
        _fleet.Builder.Build();
        var ports = resources.SelectMany(r => new[] { r.GetEndpoint("a").Port, r.GetEndpoint("http").Port }).ToList();
        Assert.Equal(20, ports.Distinct().Count());
        foreach (var port in ports)
        {
            // Free when chosen: this test can bind every one of them.
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
    }

    [Fact]
    public void Build_PortAskedFor_IsKept_AndValuesAreKnownBeforeStart()
    {
        var port = FreePort();
        var server = _fleet.AddScript("server", "true").WithEndpoint("kafka", port).WithHttpEndpoint();
        _fleet.Builder.Build();
        var kafka = server.GetEndpoint("kafka");
        Assert.Equal(port, kafka.Port);
        Assert.Equal($"127.0.0.1:{port}", kafka.HostAndPort);
        Assert.Equal($"tcp://127.0.0.1:{port}", kafka.Url);
        Assert.Equal($"http://127.0.0.1:{server.GetEndpoint("http").Port}", server.GetEndpoint("http").Url);
        Assert.Equal(port.ToString(), kafka.Property(EndpointProperty.TargetPort).GetValue());
    }

    [Fact]
    public void Build_PortAskedForAlreadyInUse_FailsWithUsageError()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        _fleet.AddScript("server", "true").WithEndpoint("kafka", port);
        var error = Assert.Throws<UsageException>(() => _fleet.Builder.Build());
        Assert.Contains($"Port {port} of server/kafka is already in use", error.Message);
    }

    [Fact]
    public void Build_SamePortAskedTwice_IsRejected()
    {
        var port = FreePort();
        _fleet.AddScript("a", "true").WithEndpoint("kafka", port);
        _fleet.AddScript("b", "true").WithEndpoint("kafka", port);
        Assert.Throws<InvalidOperationException>(() => _fleet.Builder.Build());
    }

    [Fact]
    public void WithEndpoint_SameNameTwice_IsRejected()
    {
        var a = _fleet.AddScript("a", "true").WithEndpoint("kafka");
        Assert.Throws<InvalidOperationException>(() => a.WithEndpoint("kafka"));
    }

    [Fact]
    public void EndpointValue_BeforeBuild_FailsClearly()
    {
        var a = _fleet.AddScript("a", "true").WithEndpoint("kafka");
        var error = Assert.Throws<InvalidOperationException>(() => a.GetEndpoint("kafka").Port);
        Assert.Contains("chosen when the application is built", error.Message);
    }

    [Fact]
    public void WithEndpoint_Env_ReceivesThePort()
    {
        var a = _fleet.AddScript("a", "true").WithHttpEndpoint(env: "PORT");
        _fleet.Builder.Build();
        Assert.Equal(a.GetEndpoint("http").Port.ToString(), a.Resource.ResolveEnvironment()["PORT"].GetValue());
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
