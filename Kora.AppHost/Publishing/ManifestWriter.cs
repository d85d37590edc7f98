using System.Text;
using System.Text.Json;
using Kora.AppHost.Hosting;
using Kora.AppHost.Hosting.Health;

namespace Kora.AppHost.Publishing;

/// <summary>
/// The resource graph in Aspire's manifest format: <c>project.v0</c> and <c>executable.v0</c>
/// resources with <c>env</c>, <c>args</c> and <c>bindings</c>, values that depend on other resources as
/// placeholders such as <c>{broker-1.bindings.kafka.port}</c>. Kora adds what the format leaves
/// implicit, under names Aspire does not use: <c>references</c>, <c>waitFor</c>, <c>healthChecks</c>,
/// <c>volumes</c> and <c>restartPolicy</c>.
/// </summary>
internal static class ManifestWriter
{
    public static string Write(IReadOnlyList<Resource> resources, string outputDirectory)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "https://json.schemastore.org/aspire-8.0.json");
            json.WriteStartObject("resources");
            foreach (var resource in resources)
            {
                json.WriteStartObject(resource.Name);
                WriteResource(json, resource, outputDirectory);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteResource(Utf8JsonWriter json, Resource resource, string outputDirectory)
    {
        switch (resource)
        {
            case ProjectResource project:
                json.WriteString("type", "project.v0");
                // Relative to the manifest, as Aspire writes it.
                json.WriteString("path", Path.GetRelativePath(outputDirectory, Path.Combine(RepositoryLayout.Root, project.ProjectPath)));
                break;
            case ExecutableResource executable:
                json.WriteString("type", "executable.v0");
                json.WriteString("command", executable.Command);
                json.WriteString("workingDirectory", executable.WorkingDirectory ?? ".");
                break;
        }
        if (resource.ConnectionString is { } connectionString)
        {
            json.WriteString("connectionString", connectionString.ValueExpression);
        }
        if (resource.Args.Count > 0)
        {
            json.WriteStartArray("args");
            foreach (var arg in resource.Args)
            {
                json.WriteStringValue(arg.ValueExpression);
            }
            json.WriteEndArray();
        }
        json.WriteStartObject("env");
        foreach (var (name, value) in resource.ResolveEnvironment())
        {
            json.WriteString(name, value.ValueExpression);
        }
        json.WriteEndObject();
        json.WriteStartObject("bindings");
        foreach (var endpoint in resource.Endpoints)
        {
            json.WriteStartObject(endpoint.Name);
            json.WriteString("scheme", endpoint.Scheme);
            json.WriteString("protocol", "tcp");
            json.WriteString("transport", endpoint.Transport);
            if (endpoint.Port is { } port)
            {
                json.WriteNumber("port", port);
            }
            if (endpoint.TargetPort is { } targetPort)
            {
                json.WriteNumber("targetPort", targetPort);
            }
            if (endpoint.IsExternal)
            {
                json.WriteBoolean("external", true);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        WriteNames(json, "references", resource.References.Select(r => r.EndpointName is null ? r.Target.Name : $"{r.Target.Name}/{r.EndpointName}"));
        WriteNames(json, "waitFor", resource.WaitsFor.Select(r => r.Name));
        json.WriteStartArray("healthChecks");
        foreach (var check in resource.HealthChecks)
        {
            json.WriteStartObject();
            switch (check)
            {
                case HttpHealthCheckAnnotation http:
                    json.WriteString("type", "http");
                    json.WriteString("endpoint", http.EndpointName);
                    json.WriteString("path", http.Path);
                    json.WriteNumber("statusCode", http.StatusCode);
                    break;
                case ReadyLineHealthCheckAnnotation line:
                    json.WriteString("type", "readyLine");
                    json.WriteString("prefix", line.Prefix);
                    break;
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (resource.DataVolume is { } volume)
        {
            json.WriteStartArray("volumes");
            json.WriteStartObject();
            json.WriteString("name", volume.Name);
            json.WriteString("target", volume.Target);
            json.WriteBoolean("readOnly", false);
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteStartObject("restartPolicy");
        json.WriteNumber("maxRestartsPerMinute", resource.RestartPolicy.MaxRestartsPerMinute);
        json.WriteEndObject();
    }

    private static void WriteNames(Utf8JsonWriter json, string property, IEnumerable<string> names)
    {
        json.WriteStartArray(property);
        foreach (var name in names)
        {
            json.WriteStringValue(name);
        }
        json.WriteEndArray();
    }
}
