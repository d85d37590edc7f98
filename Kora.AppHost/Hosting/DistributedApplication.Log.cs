using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Hosting;

public sealed partial class DistributedApplication
{
    [LoggerMessage(1, LogLevel.Error, "The fleet could not start: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Information, "stopping the fleet")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "every resource has stopped")]
    private static partial void LogStoppedAll(ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "published {Count} resources for {Target}: {Files}")]
    private static partial void LogPublished(ILogger logger, int count, string target, string files);

    [LoggerMessage(5, LogLevel.Warning, "util-linux's setpriv and setsid are missing: resources share the host's process group and outlive it if it is killed")]
    private static partial void LogNotIsolated(ILogger logger);
}
