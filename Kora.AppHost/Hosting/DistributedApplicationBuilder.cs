using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Kora.AppHost.Hosting;

/// <summary>Collects the fleet's resources; <see cref="Build"/> turns them into a runnable application.</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];

    internal DistributedApplicationBuilder(string[] args)
    {
        Configuration = new ConfigurationBuilder().AddEnvironmentVariables("KORA_").AddCommandLine(args).Build();
    }

    public IConfiguration Configuration { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>A .NET project of this repository, run from its build output with <c>dotnet</c>.</summary>
    public ResourceBuilder AddProject(string name, string projectName) =>
        Add(new Resource(name, "dotnet", [ProjectOutput(projectName)]) { AnnouncesReadiness = true });

    public ResourceBuilder AddExecutable(string name, string command, params string[] args) =>
        Add(new Resource(name, command, args));

    private ResourceBuilder Add(Resource resource)
    {
        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }
        _resources.Add(resource);
        return new ResourceBuilder(resource);
    }

    /// <summary>Where resource logs go: <c>--log-dir</c>, else <c>.data/logs</c>.</summary>
    public DistributedApplication Build() => new(_resources, Path.GetFullPath(Configuration["log-dir"] ?? Path.Combine(Configuration["data-dir"] ?? ".data", "logs")));

    internal static string ProjectOutput(string projectName)
    {
        var metadata = typeof(DistributedApplicationBuilder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var path = Path.Combine(metadata["KoraRepositoryRoot"]!, projectName, "bin", metadata["KoraConfiguration"]!, "net10.0", projectName + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{projectName} is not built; expected {path}.", path);
    }
}
