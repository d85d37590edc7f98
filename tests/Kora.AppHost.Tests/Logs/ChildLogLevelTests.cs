using Kora.AppHost.Logs;
using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Tests.Logs;

public class ChildLogLevelTests
{
    [Fact]
    public void Classify_ConsoleLogFormat_CarriesTheLevelToIndentedLines()
    {
        var level = new ChildLogLevel(LogLevel.Information);
        Assert.Equal(LogLevel.Warning, level.Classify("warn: Kora.Broker.Network[3]"));
        Assert.Equal(LogLevel.Warning, level.Classify("      Connection reset"));
        Assert.Equal(LogLevel.Error, level.Classify("fail: Kora.Broker.Apis[1]"));
        Assert.Equal(LogLevel.Debug, level.Classify("dbug: X[0]"));
        Assert.Equal(LogLevel.Information, level.Classify("KORA_BROKER_READY kafka=127.0.0.1:9092"));
        Assert.Equal(LogLevel.Information, level.Classify("   indented, but after an unformatted line"));
    }

    [Fact]
    public void Classify_UnformattedStandardError_IsAnError()
    {
        var level = new ChildLogLevel(LogLevel.Error);
        Assert.Equal(LogLevel.Error, level.Classify("Unhandled exception. System.InvalidOperationException: boom"));
        Assert.Equal(LogLevel.Information, level.Classify("info: but this one says so"));
    }
}
