using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Logs;

/// <summary>
/// Reads the level of a child's output line from .NET's console log format (<c>warn: Category[0]</c>
/// followed by indented message lines). Lines in no known format get the stream's default: Information
/// on stdout, Error on stderr (where a crashing process writes its unhandled exception).
/// </summary>
internal sealed class ChildLogLevel(LogLevel unformatted)
{
    private LogLevel? _entry;

    public LogLevel Classify(string line)
    {
        if (line.Length >= 5 && line[4] == ':' && Prefix(line.AsSpan(0, 4)) is { } level)
        {
            _entry = level;
            return level;
        }
        if (_entry is { } current && line.Length > 0 && char.IsWhiteSpace(line[0]))
        {
            return current;
        }
        _entry = null;
        return unformatted;
    }

    private static LogLevel? Prefix(ReadOnlySpan<char> prefix) => prefix switch
    {
        "trce" => LogLevel.Trace,
        "dbug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "fail" => LogLevel.Error,
        "crit" => LogLevel.Critical,
        _ => null,
    };
}
