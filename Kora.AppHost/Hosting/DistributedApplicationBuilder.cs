using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Hosting;

/// <summary>
/// Collects the fleet's resources; <see cref="Build"/> checks the graph and, to run it, chooses every
/// endpoint's port. The command line is <c>[publish --target aws|azure|gcp --output DIR] [--data-dir DIR]
/// [--log-level LEVEL] [fleet options]</c>; everything after the verb is also readable through <see cref="Configuration"/>.
/// </summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly List<Action<TextWriter>> _onReady = [];

    internal DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        var args = options.Args;
        var publish = args.Length > 0 && args[0] == "publish";
        Configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables("KORA_")
            .AddCommandLine(publish ? args[1..] : args)
            .Build();
        ExecutionContext = publish ? PublishContext(Configuration) : new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run);
        DataDirectory = Path.GetFullPath(options.DataDirectory ?? Configuration["data-dir"] ?? ".data");
        ConsoleLogLevel = options.ConsoleLogLevel ?? ParseLogLevel(Configuration["log-level"]);
        Options = options;
    }

    public IConfiguration Configuration { get; }

    public DistributedApplicationExecutionContext ExecutionContext { get; }

    /// <summary>The absolute root of every resource's state folder; logs go to its <c>logs/</c>.</summary>
    public string DataDirectory { get; }

    public LogLevel ConsoleLogLevel { get; }

    public DistributedApplicationOptions Options { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>A project of this repository by its folder name, for example <c>Kora.Broker</c>.</summary>
    public ResourceBuilder<ProjectResource> AddProject(string name, string projectName) => Add(new ProjectResource(name, projectName));

    public ResourceBuilder<ExecutableResource> AddExecutable(string name, string command, string? workingDirectory, params string[] args) =>
        Add(new ExecutableResource(name, command, workingDirectory)).WithArgs(args);

    /// <summary>Runs once every resource is healthy, with the host's output: the place to print how to reach the fleet.</summary>
    public DistributedApplicationBuilder OnReady(Action<TextWriter> callback)
    {
        _onReady.Add(callback);
        return this;
    }

    public DistributedApplication Build()
    {
        ResourceGraph.Validate(_resources);
        if (ExecutionContext.IsRunMode)
        {
            AllocatePorts();
        }
        return new DistributedApplication(this, [.. _resources], [.. _onReady]);
    }

    private ResourceBuilder<T> Add<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }
        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    // Ports asked for by name first, so that a free port chosen for another endpoint cannot take one of them.
    private void AllocatePorts()
    {
        var allocator = new PortAllocator();
        var endpoints = _resources.SelectMany(r => r.Endpoints.Select(e => (Resource: r, Endpoint: e))).ToList();
        foreach (var (resource, endpoint) in endpoints.Where(x => x.Endpoint.Port is not null))
        {
            endpoint.AllocatedPort = allocator.Reserve(endpoint.Port!.Value, $"{resource.Name}/{endpoint.Name}");
        }
        foreach (var (_, endpoint) in endpoints.Where(x => x.Endpoint.Port is null))
        {
            endpoint.AllocatedPort = allocator.AllocateFree();
        }
    }

    private static DistributedApplicationExecutionContext PublishContext(IConfiguration configuration)
    {
        var target = configuration["target"] switch
        {
            "aws" => PublishTarget.Aws,
            "azure" => PublishTarget.Azure,
            "gcp" => PublishTarget.Gcp,
            var other => throw new UsageException($"publish needs --target aws, azure or gcp (got '{other}')."),
        };
        var output = configuration["output"] ?? throw new UsageException("publish needs --output DIR.");
        return new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish, target, Path.GetFullPath(output));
    }

    private static LogLevel ParseLogLevel(string? value) =>
        value is null ? LogLevel.Warning
        : Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) && Enum.IsDefined(level) ? level
        : throw new UsageException($"--log-level must be one of {string.Join(", ", Enum.GetNames<LogLevel>())} (got '{value}').");
}
