using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Hosting.Expressions;
using Kora.AppHost.Tests.Infrastructure;

namespace Kora.AppHost.Tests.Hosting;

public sealed class ReferenceTests : IDisposable
{
    private readonly TestFleet _fleet = new();

    public void Dispose() => _fleet.Dispose();

    [Fact]
    public void WithReference_Resource_InjectsEveryEndpointAndTheConnectionString()
    {
        var broker = _fleet.AddScript("broker", "true").WithEndpoint("kafka").WithHttpEndpoint();
        broker.WithConnectionString(ReferenceExpression.Create($"{broker.GetEndpoint("kafka").Property(EndpointProperty.HostAndPort)}"));
        var client = _fleet.AddScript("client", "true").WithReference(broker);
        _fleet.Builder.Build();

        var env = client.Resource.ResolveEnvironment().ToDictionary(e => e.Key, e => e.Value.GetValue());
        var kafka = broker.GetEndpoint("kafka");
        Assert.Equal($"tcp://127.0.0.1:{kafka.Port}", env["services__broker__kafka__0"]);
        Assert.Equal($"http://127.0.0.1:{broker.GetEndpoint("http").Port}", env["services__broker__http__0"]);
        Assert.Equal($"127.0.0.1:{kafka.Port}", env["ConnectionStrings__broker"]);
    }

    [Fact]
    public void WithReference_Endpoint_InjectsOnlyThatEndpoint()
    {
        var broker = _fleet.AddScript("broker", "true").WithEndpoint("kafka").WithHttpEndpoint();
        broker.WithConnectionString(ReferenceExpression.Literal("x"));
        var client = _fleet.AddScript("client", "true").WithReference(broker.GetEndpoint("http"));
        _fleet.Builder.Build();
        Assert.Equal(["services__broker__http__0"], client.Resource.ResolveEnvironment().Keys);
    }

    [Fact]
    public void WithReference_DoesNotWait_WaitForDoes()
    {
        var server = _fleet.AddScript("server", "true").WithEndpoint("tcp");
        var client = _fleet.AddScript("client", "true").WithReference(server);
        Assert.Empty(client.Resource.WaitsFor);
        client.WaitFor(server).WaitFor(server);
        Assert.Equal([server.Resource], client.Resource.WaitsFor);
    }

    [Fact]
    public void WithEnvironment_ExplicitValue_WinsOverReference()
    {
        var server = _fleet.AddScript("server", "true").WithEndpoint("tcp");
        var client = _fleet.AddScript("client", "true").WithReference(server).WithEnvironment("services__server__tcp__0", "override");
        _fleet.Builder.Build();
        Assert.Equal("override", client.Resource.ResolveEnvironment()["services__server__tcp__0"].GetValue());
    }

    [Fact]
    public void ReferenceExpression_RunValueAndManifestExpression()
    {
        var voters = new[] { "controller-1", "controller-2" }.Select(n => _fleet.AddScript(n, "true").WithEndpoint("raft")).ToList();
        var quorum = ReferenceExpression.Join(",", voters.Select((v, i) =>
            ReferenceExpression.Create($"{i + 1}@{v.GetEndpoint("raft").Property(EndpointProperty.HostAndPort)}")));
        var literal = ReferenceExpression.Create($"{{not a placeholder}} {42}");
        _fleet.Builder.Build();

        Assert.Equal($"1@127.0.0.1:{voters[0].GetEndpoint("raft").Port},2@127.0.0.1:{voters[1].GetEndpoint("raft").Port}", quorum.GetValue());
        Assert.Equal("1@{controller-1.bindings.raft.host}:{controller-1.bindings.raft.port},2@{controller-2.bindings.raft.host}:{controller-2.bindings.raft.port}",
            quorum.ValueExpression);
        Assert.Equal("{not a placeholder} 42", literal.GetValue());
        Assert.Equal("{not a placeholder} 42", literal.ValueExpression);
    }
}
