using Kora.AppHost.Hosting.Health;

namespace Kora.AppHost.Hosting;

/// <summary>
/// Checks that the resources form a fleet that can start: unique names, every reference and wait
/// inside the application and naming a declared endpoint, health checks on declared endpoints, and no
/// resource waiting for itself through others. References may form cycles (the voters of a Raft
/// quorum each know all the others); waits may not.
/// </summary>
internal static class ResourceGraph
{
    public static void Validate(IReadOnlyList<Resource> resources)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var resource in resources)
        {
            if (!names.Add(resource.Name))
            {
                throw new InvalidOperationException($"Two resources are named '{resource.Name}'.");
            }
        }
        var members = resources.ToHashSet();
        foreach (var resource in resources)
        {
            foreach (var reference in resource.References)
            {
                RequireMember(members, resource, reference.Target, "references");
                if (reference.EndpointName is { } endpoint && reference.Target.FindEndpoint(endpoint) is null)
                {
                    throw new InvalidOperationException($"'{resource.Name}' references endpoint '{endpoint}' of '{reference.Target.Name}', which has no such endpoint.");
                }
            }
            foreach (var dependency in resource.WaitsFor)
            {
                RequireMember(members, resource, dependency, "waits for");
            }
            foreach (var check in resource.HealthChecks.OfType<HttpHealthCheckAnnotation>())
            {
                if (resource.FindEndpoint(check.EndpointName) is not { } endpoint || endpoint.Transport != "http")
                {
                    throw new InvalidOperationException($"'{resource.Name}' has an HTTP health check on '{check.EndpointName}', which is not one of its HTTP endpoints.");
                }
            }
        }
        RejectWaitCycles(resources);
    }

    /// <summary>Resources that wait for <paramref name="resource"/>: they stop before it does.</summary>
    public static IEnumerable<Resource> Dependents(IReadOnlyList<Resource> resources, Resource resource) =>
        resources.Where(r => r.WaitsFor.Contains(resource));

    private static void RequireMember(HashSet<Resource> members, Resource resource, Resource target, string relation)
    {
        if (!members.Contains(target))
        {
            throw new InvalidOperationException($"'{resource.Name}' {relation} '{target.Name}', which is not part of this application.");
        }
    }

    private static void RejectWaitCycles(IReadOnlyList<Resource> resources)
    {
        // Depth-first search; a resource met again while still on the path closes a cycle.
        var done = new HashSet<Resource>();
        var path = new List<Resource>();
        void Visit(Resource resource)
        {
            if (done.Contains(resource))
            {
                return;
            }
            var index = path.IndexOf(resource);
            if (index >= 0)
            {
                var cycle = string.Join(" -> ", path.Skip(index).Append(resource).Select(r => r.Name));
                throw new InvalidOperationException($"Resources wait for each other in a cycle: {cycle}.");
            }
            path.Add(resource);
            foreach (var dependency in resource.WaitsFor)
            {
                Visit(dependency);
            }
            path.RemoveAt(path.Count - 1);
            done.Add(resource);
        }
        foreach (var resource in resources)
        {
            Visit(resource);
        }
    }
}
