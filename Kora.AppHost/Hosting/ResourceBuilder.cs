namespace Kora.AppHost.Hosting;

/// <summary>Fluent configuration of one resource, in Aspire's vocabulary.</summary>
public sealed class ResourceBuilder(Resource resource)
{
    public Resource Resource { get; } = resource;

    public ResourceBuilder WithArgs(params string[] args)
    {
        Resource.Args.AddRange(args);
        return this;
    }

    public ResourceBuilder WithEnvironment(string name, string value)
    {
        Resource.Environment[name] = value;
        return this;
    }

    /// <summary>Starts this resource only once <paramref name="dependency"/> is healthy.</summary>
    public ResourceBuilder WaitFor(ResourceBuilder dependency)
    {
        Resource.WaitsFor.Add(dependency.Resource);
        return this;
    }

    /// <summary>Passes the referenced resource's primary endpoint as <c>ConnectionStrings__name</c>, and waits for it.</summary>
    public ResourceBuilder WithReference(ResourceBuilder dependency)
    {
        Resource.References.Add(($"ConnectionStrings__{dependency.Resource.Name}", _ => dependency.Resource.PrimaryEndpoint));
        return WaitFor(dependency);
    }

    public ResourceBuilder WithHttpHealthCheck(string path)
    {
        Resource.HealthCheckPath = path;
        return this;
    }

    public ResourceBuilder WithEndpoint(string endpoint)
    {
        Resource.PrimaryEndpoint = endpoint;
        return this;
    }
}
