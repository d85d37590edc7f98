using Kora.Broker.Replication.Throttling;

namespace Kora.Broker.Tests.Replication.Throttling;

public sealed class ThrottledReplicasTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("0:1,1:3")]
    [InlineData("x:2,0:")]
    public void Lists_not_naming_this_broker_throttle_nothing(string? value) => Assert.Null(ThrottledReplicas.Parse(value, 2));

    [Fact]
    public void Entries_for_this_broker_are_kept()
    {
        var replicas = ThrottledReplicas.Parse("0:2,1:1,5:2", 2);
        Assert.NotNull(replicas);
        Assert.False(replicas.All);
        Assert.True(replicas.Contains(0));
        Assert.False(replicas.Contains(1));
        Assert.True(replicas.Contains(5));
    }

    [Fact]
    public void Star_is_every_replica() => Assert.True(ThrottledReplicas.Parse(" * ", 7)!.Contains(3));
}
