using Kora.AppHost.Hosting;
using Kora.AppHost.Tests.Infrastructure;

namespace Kora.AppHost.Tests.Hosting;

public sealed class ResourceGraphTests : IDisposable
{
    private readonly TestFleet _fleet = new();

    public void Dispose() => _fleet.Dispose();

    [Fact]
    public void Build_WaitCycle_IsRejectedNamingTheCycle()
    {
        var a = _fleet.AddScript("a", "true");
        var b = _fleet.AddScript("b", "true");
        var c = _fleet.AddScript("c", "true");
        a.WaitFor(b);
        b.WaitFor(c);
        c.WaitFor(a);
        var error = Assert.Throws<InvalidOperationException>(() => _fleet.Builder.Build());
        Assert.Contains("a -> b -> c -> a", error.Message);
    }

    [Fact]
    public void Build_ResourceWaitingForItself_IsRejected()
    {
        var a = _fleet.AddScript("a", "true");
        a.WaitFor(a);
        Assert.Throws<InvalidOperationException>(() => _fleet.Builder.Build());
    }

    [Fact]
    public void Build_ReferenceCycle_IsAllowed()
    {
        // Raft voters each need every voter's address: references go both ways, waits do not.
        var voters = new[] { "voter-1", "voter-2", "voter-3" }.Select(n => _fleet.AddScript(n, "true").WithEndpoint("raft")).ToList();
        foreach (var voter in voters)
        {
            foreach (var other in voters.Where(v => v != voter))
            {
                voter.WithReference(other);
            }
        }
        var app = _fleet.Builder.Build();
        var env = app.Resources[0].ResolveEnvironment();
        Assert.Equal($"tcp://127.0.0.1:{voters[1].GetEndpoint("raft").Port}", env["services__voter-2__raft__0"].GetValue());
        Assert.Equal($"tcp://127.0.0.1:{voters[2].GetEndpoint("raft").Port}", env["services__voter-3__raft__0"].GetValue());
    }

    [Fact]
    public void Build_WaitForResourceOfAnotherApplication_IsRejected()
    {
        using var other = new TestFleet();
        var stranger = other.AddScript("stranger", "true");
        _fleet.AddScript("a", "true").WaitFor(stranger);
        var error = Assert.Throws<InvalidOperationException>(() => _fleet.Builder.Build());
        Assert.Contains("not part of this application", error.Message);
    }

    [Fact]
    public void Build_ReferenceToUndeclaredEndpoint_IsRejected()
    {
        var server = _fleet.AddScript("server", "true").WithEndpoint("tcp");
        _fleet.AddScript("client", "true").WithReference(server.GetEndpoint("grpc"));
        var error = Assert.Throws<InvalidOperationException>(() => _fleet.Builder.Build());
        Assert.Contains("'grpc'", error.Message);
    }

    [Fact]
    public void Build_HttpHealthCheckWithoutHttpEndpoint_IsRejected()
    {
        _fleet.AddScript("server", "true").WithEndpoint("http", scheme: "tcp").WithHttpHealthCheck();
        Assert.Throws<InvalidOperationException>(() => _fleet.Builder.Build());
    }

    [Fact]
    public void AddResource_DuplicateName_IsRejected()
    {
        _fleet.AddScript("same", "true");
        Assert.Throws<InvalidOperationException>(() => _fleet.AddScript("Same", "true"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1broker")]
    [InlineData("broker_1")]
    [InlineData("broker--1")]
    [InlineData("broker-")]
    public void AddResource_InvalidName_IsRejected(string name) =>
        Assert.Throws<ArgumentException>(() => _fleet.AddScript(name, "true"));
}
