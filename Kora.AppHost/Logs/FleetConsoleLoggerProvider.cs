using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Logs;

/// <summary>Renders the host's own log events on the <see cref="FleetConsole"/> as <c>[apphost]</c> lines.</summary>
public sealed class FleetConsoleLoggerProvider(FleetConsole console) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new FleetConsoleLogger(console);

    public void Dispose()
    {
    }

    private sealed class FleetConsoleLogger(FleetConsole console) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var message = formatter(state, exception);
                console.WriteHostLine(logLevel, exception is null ? message : $"{message}: {exception.Message}");
            }
        }
    }
}
