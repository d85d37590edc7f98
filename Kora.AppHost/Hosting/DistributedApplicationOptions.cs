using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Hosting;

/// <summary>How the host itself behaves; the command line fills these, tests set them directly.</summary>
public sealed class DistributedApplicationOptions
{
    public string[] Args { get; init; } = [];

    /// <summary>Where the prefixed output of every resource and of the host goes; the console by default.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>The root of every resource's state folder and of <c>logs/</c>; <c>--data-dir</c>, else <c>.data</c>.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The least severe resource output shown on the console (everything goes to the log files); <c>--log-level</c>.</summary>
    public LogLevel? ConsoleLogLevel { get; init; }

    /// <summary>How long a resource has between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the whole fleet may take to become healthy.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromMinutes(3);
}
