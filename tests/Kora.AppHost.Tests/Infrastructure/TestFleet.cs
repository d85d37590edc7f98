using Kora.AppHost.Hosting;
using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Tests.Infrastructure;

/// <summary>An application builder for tests: its own data folder, console captured, short grace and start-up bounds.</summary>
public sealed class TestFleet : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly CapturedOutput _console = new();

    public TestFleet(LogLevel consoleLevel = LogLevel.Warning, TimeSpan? stopGrace = null, TimeSpan? startupTimeout = null, params string[] args)
    {
        Builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = args,
            Output = _console,
            DataDirectory = _directory.Path,
            ConsoleLogLevel = consoleLevel,
            StopGracePeriod = stopGrace ?? TimeSpan.FromSeconds(5),
            StartupTimeout = startupTimeout ?? TimeSpan.FromSeconds(30),
        });
    }

    public DistributedApplicationBuilder Builder { get; }

    public string Console => _console.ToString();

    public string File(string name) => _directory.File(name);

    /// <summary>A bash script as a resource; scripts end in `exec` or `wait` so that the host signals the real worker.</summary>
    public ResourceBuilder<ExecutableResource> AddScript(string name, string script) =>
        Builder.AddExecutable(name, "/bin/bash", _directory.Path, "-c", script);

    public string ReadLog(string resource) => System.IO.File.ReadAllText(Path.Combine(_directory.Path, "logs", resource + ".log"));

    public void Dispose() => _directory.Dispose();
}
