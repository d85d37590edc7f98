using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Hosting.Expressions;
using Kora.AppHost.Hosting.Health;

namespace Kora.AppHost.Hosting;

/// <summary>
/// A process in the fleet, as Aspire models one: a name, how to start it, its arguments and
/// environment, the endpoints it serves, the resources it references and waits for, how to tell that
/// it is healthy, and what to do when it crashes.
/// </summary>
public abstract class Resource
{
    protected Resource(string name)
    {
        ResourceNames.Validate(name);
        Name = name;
    }

    public string Name { get; }

    public List<ReferenceExpression> Args { get; } = [];

    public Dictionary<string, ReferenceExpression> Environment { get; } = new(StringComparer.Ordinal);

    public List<EndpointAnnotation> Endpoints { get; } = [];

    public List<ResourceReference> References { get; } = [];

    /// <summary>Resources that must be healthy before this one starts (and that stop after it).</summary>
    public List<Resource> WaitsFor { get; } = [];

    public List<HealthCheckAnnotation> HealthChecks { get; } = [];

    public RestartPolicy RestartPolicy { get; set; } = RestartPolicy.Default;

    /// <summary>What a referencing resource receives as <c>ConnectionStrings__name</c>, if anything.</summary>
    public ReferenceExpression? ConnectionString { get; set; }

    public DataVolumeAnnotation? DataVolume { get; set; }

    public EndpointAnnotation? FindEndpoint(string name) => Endpoints.Find(e => e.Name == name);

    /// <summary>
    /// The environment the process gets: what its references contribute (see <see cref="ReferenceEnvironment"/>),
    /// then the variables set on it explicitly, which win.
    /// </summary>
    public IReadOnlyDictionary<string, ReferenceExpression> ResolveEnvironment()
    {
        var environment = new Dictionary<string, ReferenceExpression>(StringComparer.Ordinal);
        foreach (var reference in References)
        {
            ReferenceEnvironment.AddTo(environment, reference);
        }
        foreach (var (name, value) in Environment)
        {
            environment[name] = value;
        }
        return environment;
    }

    /// <summary>The program and arguments that start the resource on this machine.</summary>
    internal abstract LaunchCommand GetLaunchCommand();

    public override string ToString() => Name;
}
