using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Hosting.Expressions;
using Kora.AppHost.Hosting.Health;

namespace Kora.AppHost.Hosting;

/// <summary>Fluent configuration of one resource, in Aspire's vocabulary (<c>IResourceBuilder&lt;T&gt;</c>).</summary>
public sealed class ResourceBuilder<T>(T resource, DistributedApplicationBuilder applicationBuilder) where T : Resource
{
    public T Resource { get; } = resource;

    public DistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public ResourceBuilder<T> WithArgs(params string[] args)
    {
        Resource.Args.AddRange(args.Select(ReferenceExpression.Literal));
        return this;
    }

    public ResourceBuilder<T> WithArgs(ReferenceExpression arg)
    {
        Resource.Args.Add(arg);
        return this;
    }

    public ResourceBuilder<T> WithEnvironment(string name, string value) => WithEnvironment(name, ReferenceExpression.Literal(value));

    public ResourceBuilder<T> WithEnvironment(string name, IValueProvider value) =>
        WithEnvironment(name, value as ReferenceExpression ?? ReferenceExpression.Create($"{value}"));

    public ResourceBuilder<T> WithEnvironment(string name, ReferenceExpression value)
    {
        Resource.Environment[name] = value;
        return this;
    }

    /// <summary>
    /// Declares a named endpoint. Without <paramref name="port"/> the host picks a free loopback port
    /// when the application is built; <paramref name="env"/> names a variable that receives the port.
    /// </summary>
    public ResourceBuilder<T> WithEndpoint(string name, int? port = null, int? targetPort = null, string scheme = "tcp", string? env = null, bool isExternal = false)
    {
        if (Resource.FindEndpoint(name) is not null)
        {
            throw new InvalidOperationException($"Resource '{Resource.Name}' already has an endpoint named '{name}'.");
        }
        Resource.Endpoints.Add(new EndpointAnnotation(name, scheme, port, targetPort, isExternal));
        return env is null ? this : WithEnvironment(env, GetEndpoint(name).Property(EndpointProperty.TargetPort));
    }

    public ResourceBuilder<T> WithHttpEndpoint(int? port = null, int? targetPort = null, string name = "http", string? env = null) =>
        WithEndpoint(name, port, targetPort, "http", env);

    /// <summary>A handle on an endpoint of this resource, which may be declared later.</summary>
    public EndpointReference GetEndpoint(string name) => new(Resource, name);

    /// <summary>Tells this resource where all of <paramref name="other"/>'s endpoints are (see <see cref="ReferenceEnvironment"/>). Does not wait for it.</summary>
    public ResourceBuilder<T> WithReference<TOther>(ResourceBuilder<TOther> other) where TOther : Resource
    {
        Resource.References.Add(new ResourceReference(other.Resource, null));
        return this;
    }

    /// <summary>Tells this resource where one endpoint of another resource is.</summary>
    public ResourceBuilder<T> WithReference(EndpointReference endpoint)
    {
        Resource.References.Add(new ResourceReference(endpoint.Resource, endpoint.EndpointName));
        return this;
    }

    /// <summary>Starts this resource only once <paramref name="dependency"/> is healthy; on shutdown, this one stops first.</summary>
    public ResourceBuilder<T> WaitFor<TOther>(ResourceBuilder<TOther> dependency) where TOther : Resource
    {
        if (!Resource.WaitsFor.Contains(dependency.Resource))
        {
            Resource.WaitsFor.Add(dependency.Resource);
        }
        return this;
    }

    /// <summary>Healthy once <c>GET path</c> on the named HTTP endpoint answers <paramref name="statusCode"/>.</summary>
    public ResourceBuilder<T> WithHttpHealthCheck(string path = "/health", int statusCode = 200, string endpointName = "http")
    {
        Resource.HealthChecks.Add(new HttpHealthCheckAnnotation(path, endpointName, statusCode));
        return this;
    }

    /// <summary>Healthy once the process prints a stdout line starting with <paramref name="prefix"/> (Kora's ready lines).</summary>
    public ResourceBuilder<T> WithReadyLine(string prefix)
    {
        Resource.HealthChecks.Add(new ReadyLineHealthCheckAnnotation(prefix));
        return this;
    }

    public ResourceBuilder<T> WithRestartPolicy(RestartPolicy policy)
    {
        Resource.RestartPolicy = policy;
        return this;
    }

    /// <summary>What resources that reference this one receive as <c>ConnectionStrings__name</c>.</summary>
    public ResourceBuilder<T> WithConnectionString(ReferenceExpression connectionString)
    {
        Resource.ConnectionString = connectionString;
        return this;
    }

    /// <summary>
    /// Gives the resource its own state folder (<c>&lt;data-dir&gt;/&lt;name&gt;</c> locally, a volume
    /// mounted at <paramref name="target"/> when published) and passes its path in <paramref name="env"/>.
    /// </summary>
    public ResourceBuilder<T> WithDataVolume(string env, string target = "/var/lib/kora")
    {
        var volume = new DataVolumeAnnotation($"{Resource.Name}-data", Path.Combine(ApplicationBuilder.DataDirectory, Resource.Name), target);
        Resource.DataVolume = volume;
        return WithEnvironment(env, volume);
    }
}
