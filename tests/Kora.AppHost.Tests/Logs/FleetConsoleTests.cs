using Kora.AppHost.Logs;
using Microsoft.Extensions.Logging;

namespace Kora.AppHost.Tests.Logs;

public class FleetConsoleTests
{
    [Fact]
    public void WriteResourceLine_BelowTheMinimumLevel_IsLeftToTheLogFile()
    {
        var output = new StringWriter();
        var console = new FleetConsole(output, colors: false, LogLevel.Warning);
        console.WriteResourceLine("broker-1", LogLevel.Information, "chatter");
        console.WriteResourceLine("broker-1", LogLevel.Warning, "careful");
        console.WriteHostLine(LogLevel.Information, "broker-1 is healthy");
        Assert.Equal("[broker-1] careful\n[apphost] broker-1 is healthy\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Colours_EachResourceItsOwn_WarningsYellow_ErrorsRed()
    {
        var output = new StringWriter();
        var console = new FleetConsole(output, colors: true, LogLevel.Information);
        console.WriteResourceLine("broker-1", LogLevel.Information, "one");
        console.WriteResourceLine("broker-2", LogLevel.Warning, "two");
        console.WriteResourceLine("broker-1", LogLevel.Error, "three");
        var lines = output.ToString().ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("\u001b[36m[broker-1]\u001b[0m one", lines[0]);
        Assert.Equal("\u001b[32m[broker-2]\u001b[0m \u001b[33mtwo\u001b[0m", lines[1]);
        Assert.Equal("\u001b[36m[broker-1]\u001b[0m \u001b[31mthree\u001b[0m", lines[2]);
    }
}
