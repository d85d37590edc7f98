using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Orchestration;

internal sealed partial class ResourceRunner
{
    [LoggerMessage(1, LogLevel.Information, "{Resource} started (pid {ProcessId})")]
    private static partial void LogStarted(ILogger logger, string resource, int processId);

    [LoggerMessage(2, LogLevel.Information, "{Resource} is {Health}{Endpoints}")]
    private static partial void LogHealthy(ILogger logger, string resource, string health, string endpoints);

    [LoggerMessage(3, LogLevel.Warning, "{Resource} exited with code {ExitCode} after {Uptime:0.#} s; restarting in {Delay:0.#} s ({Restarts} of {MaxRestarts} restarts allowed per minute)")]
    private static partial void LogRestarting(ILogger logger, string resource, int exitCode, double uptime, double delay, int restarts, int maxRestarts);

    [LoggerMessage(4, LogLevel.Error, "{Resource} exited with code {ExitCode} and is not restarted: it was already restarted {Restarts} times within a minute")]
    private static partial void LogGaveUp(ILogger logger, string resource, int exitCode, int restarts);

    [LoggerMessage(5, LogLevel.Error, "{Resource} could not be started")]
    private static partial void LogFailedToStart(ILogger logger, string resource, Exception exception);

    [LoggerMessage(6, LogLevel.Information, "{Resource} stopped (exit code {ExitCode})")]
    private static partial void LogStopped(ILogger logger, string resource, int exitCode);

    [LoggerMessage(7, LogLevel.Warning, "{Resource} was killed: it did not stop within {Grace:0.#} s of SIGTERM")]
    private static partial void LogKilled(ILogger logger, string resource, double grace);
}
