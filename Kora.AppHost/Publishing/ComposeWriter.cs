using System.Globalization;
using System.Text;
using Kora.AppHost.Hosting;
using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Hosting.Expressions;
using Kora.AppHost.Hosting.Health;

namespace Kora.AppHost.Publishing;

/// <summary>
/// The resource graph as a Compose file: each project a service running its container image, values
/// that name another resource resolved to that service's DNS name and container port, external
/// endpoints published, data folders as named volumes, waits as <c>depends_on: service_healthy</c>
/// on an HTTP health check made with bash alone (.NET's runtime images carry no curl).
/// Executables are not containers; the deployment notes list them.
/// </summary>
internal static class ComposeWriter
{
    public static string Write(IReadOnlyList<Resource> resources, PublishTarget target)
    {
        var yaml = new StringBuilder();
        yaml.Append("# The Kora fleet for ").Append(target.ToString().ToLowerInvariant())
            .AppendLine(", written by `dotnet run --project Kora.AppHost -- publish`. Build the images with")
            .AppendLine("# `dotnet publish <project> -c Release -t:PublishContainer`; see the DEPLOY notes beside this file.");
        yaml.AppendLine("name: kora");
        yaml.AppendLine("services:");
        foreach (var project in resources.OfType<ProjectResource>())
        {
            WriteService(yaml, project);
        }
        var volumes = resources.Select(r => r.DataVolume).OfType<DataVolumeAnnotation>().ToList();
        if (volumes.Count > 0)
        {
            yaml.AppendLine("volumes:");
            foreach (var volume in volumes)
            {
                yaml.Append("  ").Append(volume.Name).AppendLine(": {}");
            }
        }
        return yaml.ToString();
    }

    private static void WriteService(StringBuilder yaml, ProjectResource project)
    {
        yaml.Append("  ").Append(project.Name).AppendLine(":");
        yaml.Append("    image: ").AppendLine(Quote(project.ContainerImage + ":latest"));
        if (project.Args.Count > 0)
        {
            yaml.AppendLine("    command:");
            foreach (var arg in project.Args)
            {
                yaml.Append("      - ").AppendLine(Quote(arg.Render(Resolve)));
            }
        }
        yaml.AppendLine("    environment:");
        foreach (var (name, value) in project.ResolveEnvironment())
        {
            yaml.Append("      ").Append(name).Append(": ").AppendLine(Quote(value.Render(Resolve)));
        }
        var published = project.Endpoints.Where(e => e.IsExternal).ToList();
        if (published.Count > 0)
        {
            yaml.AppendLine("    ports:");
            foreach (var endpoint in published)
            {
                var containerPort = ContainerPort(project, endpoint);
                yaml.Append("      - ").AppendLine(Quote(string.Create(CultureInfo.InvariantCulture, $"{endpoint.Port ?? containerPort}:{containerPort}")));
            }
        }
        if (project.DataVolume is { } volume)
        {
            yaml.AppendLine("    volumes:");
            yaml.Append("      - ").AppendLine(Quote($"{volume.Name}:{volume.Target}"));
        }
        if (project.HealthChecks.OfType<HttpHealthCheckAnnotation>().FirstOrDefault() is { } check)
        {
            var port = ContainerPort(project, project.FindEndpoint(check.EndpointName)!);
            var probe = string.Create(CultureInfo.InvariantCulture,
                $"exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET {check.Path} HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' {check.StatusCode} '");
            yaml.AppendLine("    healthcheck:");
            yaml.Append("      test: [\"CMD\", \"bash\", \"-c\", ").Append(Quote(probe)).AppendLine("]");
            yaml.AppendLine("      interval: 5s");
            yaml.AppendLine("      retries: 12");
        }
        if (project.WaitsFor.Count > 0)
        {
            yaml.AppendLine("    depends_on:");
            foreach (var dependency in project.WaitsFor)
            {
                var healthy = dependency.HealthChecks.OfType<HttpHealthCheckAnnotation>().Any();
                yaml.Append("      ").Append(dependency.Name).AppendLine(":");
                yaml.Append("        condition: ").AppendLine(healthy ? "service_healthy" : "service_started");
            }
        }
        yaml.AppendLine(project.RestartPolicy.MaxRestartsPerMinute > 0 ? "    restart: on-failure" : "    restart: \"no\"");
    }

    /// <summary>A deferred value as seen from inside the Compose network.</summary>
    private static string Resolve(IValueProvider value) => value switch
    {
        ReferenceExpression expression => expression.Render(Resolve),
        EndpointReference endpoint => Resolve(endpoint.Property(EndpointProperty.Url)),
        EndpointReferenceExpression property => ResolveEndpoint(property),
        DataVolumeAnnotation volume => volume.Target,
        _ => value.ValueExpression,
    };

    private static string ResolveEndpoint(EndpointReferenceExpression property)
    {
        var resource = property.Endpoint.Resource;
        var endpoint = property.Endpoint.Endpoint;
        var port = ContainerPort(resource, endpoint).ToString(CultureInfo.InvariantCulture);
        return property.Property switch
        {
            EndpointProperty.Url => $"{endpoint.Scheme}://{resource.Name}:{port}",
            EndpointProperty.Host => resource.Name,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.Scheme => endpoint.Scheme,
            EndpointProperty.HostAndPort => $"{resource.Name}:{port}",
            _ => throw new ArgumentOutOfRangeException(nameof(property), property.Property, null),
        };
    }

    private static int ContainerPort(Resource resource, EndpointAnnotation endpoint) =>
        endpoint.TargetPort ?? endpoint.Port
        ?? throw new InvalidOperationException($"Endpoint '{endpoint.Name}' of '{resource.Name}' needs a port or target port to be published.");

    // A YAML double-quoted scalar; `$` doubled because Compose interpolates it.
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal) + "\"";
}
