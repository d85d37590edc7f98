using Kora.AppHost.Fleet;
using Kora.AppHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace Kora.AppHost.Tests.Fleet;

public class FleetOptionsTests
{
    private static FleetOptions Parse(params string[] args) => FleetOptions.From(new ConfigurationBuilder().AddCommandLine(args).Build());

    [Fact]
    public void From_Defaults_ThreeControllersThreeBrokersFromPort9092()
    {
        var options = Parse();
        Assert.Equal([3001, 3002, 3003], options.ControllerIds);
        Assert.Equal([1, 2, 3], options.BrokerIds);
        Assert.Equal([1, 1, 1], options.BrokerIds.Select(options.CellOf));
        Assert.Equal([9092, 9093, 9094], options.BrokerIds.Select(id => options.KafkaPortOf(id)!.Value));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    [InlineData("5", 5)]
    public void From_Controllers_SizesTheQuorum(string controllers, int expected) =>
        Assert.Equal(expected, Parse("--controllers", controllers).ControllerIds.Count());

    [Fact]
    public void From_BrokersAndCells_DealtRoundRobin_PortsConsecutive()
    {
        var options = Parse("--brokers", "5", "--cells", "2", "--port", "19092");
        Assert.Equal([1, 2, 1, 2, 1], options.BrokerIds.Select(options.CellOf));
        Assert.Equal([19092, 19093, 19094, 19095, 19096], options.BrokerIds.Select(id => options.KafkaPortOf(id)!.Value));
    }

    [Theory]
    [InlineData(new[] { "--brokers", "3" }, 3, 2)]
    [InlineData(new[] { "--brokers", "5" }, 3, 2)]
    [InlineData(new[] { "--brokers", "2" }, 2, 1)]
    [InlineData(new[] { "--brokers", "1" }, 1, 1)]
    [InlineData(new[] { "--brokers", "3", "--controllers", "0" }, 1, 1)]
    public void ReplicationDefaults_ThreeReplicasTwoInSync_FewerOnlyWithFewerBrokers(string[] args, int factor, int minInsync)
    {
        var options = Parse(args);
        Assert.Equal(factor, options.ReplicationFactor);
        Assert.Equal(minInsync, options.MinInsyncReplicas);
    }

    [Fact]
    public void From_PortZero_LeavesEveryPortToTheHost() => Assert.Null(Parse("--brokers", "3", "--port", "0").KafkaPortOf(2));

    [Theory]
    [InlineData("--brokers", "0")]
    [InlineData("--controllers", "2")]
    [InlineData("--controllers", "4")]
    [InlineData("--brokers", "two")]
    [InlineData("--cells", "0")]
    [InlineData("--cells", "4")]
    [InlineData("--port", "65535", "--brokers", "2")]
    [InlineData("--port", "-1")]
    public void From_InvalidShape_IsAUsageError(params string[] args) => Assert.Throws<UsageException>(() => Parse(args));
}
