using Kora.AppHost.Orchestration;

namespace Kora.AppHost.Tests.Orchestration;

public class ReadyLineTests
{
    [Theory]
    [InlineData("KORA_BROKER_READY kafka=127.0.0.1:9092 http=127.0.0.1:4000", true)]
    [InlineData("KORA_BROKER_READY", true)]
    [InlineData("KORA_BROKER_READYISH kafka=1", false)]
    [InlineData("KORA_BROKER_STARTING", false)]
    [InlineData("some log line KORA_BROKER_READY", false)]
    public void TryParse_RecognisesOnlyTheWholePrefix(string line, bool ready)
    {
        Assert.Equal(ready, ReadyLine.TryParse(line, "KORA_BROKER_READY", out var endpoints));
        if (line.Contains("kafka=127", StringComparison.Ordinal))
        {
            Assert.Equal("127.0.0.1:9092", endpoints["kafka"]);
            Assert.Equal("127.0.0.1:4000", endpoints["http"]);
        }
    }
}
