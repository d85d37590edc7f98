using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Logs;

/// <summary>
/// The host's console: every line prefixed with the name of the resource it came from, each name in
/// its own colour on a terminal, and resource output below <see cref="MinimumLevel"/> left to the
/// log files so that the console shows the fleet's lifecycle, warnings and errors.
/// </summary>
public sealed class FleetConsole(TextWriter writer, bool colors, LogLevel minimumLevel)
{
    public const string HostName = "apphost";

    private const string Reset = "\u001b[0m";
    private static readonly string[] Palette =
        ["\u001b[36m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[96m", "\u001b[92m", "\u001b[95m", "\u001b[94m"];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _colors = new(StringComparer.Ordinal);

    public LogLevel MinimumLevel { get; } = minimumLevel;

    /// <summary>Colours only for a terminal that has not asked for none (https://no-color.org).</summary>
    public static FleetConsole ForStandardOutput(LogLevel minimumLevel) =>
        new(System.Console.Out, !System.Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")), minimumLevel);

    public void WriteResourceLine(string resource, LogLevel level, string line)
    {
        if (level >= MinimumLevel)
        {
            Write(resource, level, line);
        }
    }

    /// <summary>The host's own messages, shown from Information up whatever the resource level.</summary>
    public void WriteHostLine(LogLevel level, string line)
    {
        if (level >= LogLevel.Information)
        {
            Write(HostName, level, line);
        }
    }

    /// <summary>Unprefixed text, such as the bootstrap address once the fleet is ready.</summary>
    public void WritePlain(string text)
    {
        lock (_lock)
        {
            writer.Write(text);
            writer.Flush();
        }
    }

    private void Write(string source, LogLevel level, string line)
    {
        lock (_lock)
        {
            if (!colors)
            {
                writer.WriteLine($"[{source}] {line}");
            }
            else
            {
                if (!_colors.TryGetValue(source, out var color))
                {
                    color = source == HostName ? "\u001b[1m" : Palette[_colors.Count(c => c.Key != HostName) % Palette.Length];
                    _colors[source] = color;
                }
                var text = level switch
                {
                    LogLevel.Warning => $"\u001b[33m{line}{Reset}",
                    LogLevel.Error or LogLevel.Critical => $"\u001b[31m{line}{Reset}",
                    _ => line,
                };
                writer.WriteLine($"{color}[{source}]{Reset} {text}");
            }
            writer.Flush();
        }
    }
}
