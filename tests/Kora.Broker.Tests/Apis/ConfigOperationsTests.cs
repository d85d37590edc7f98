using Kora.Metadata.Configs;

namespace Kora.Broker.Tests.Apis;

public class ConfigOperationsTests
{
    private static readonly BrokerOptions Broker = new();

    private static Dictionary<string, string> Overrides(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    [Fact]
    public void CheckIncremental_WellFormed_IsNull()
    {
        Assert.Null(ConfigOperations.CheckIncremental(
        [
            new("retention.ms", ConfigOperation.Set, "1000"),
            new("segment.bytes", ConfigOperation.Delete, null),
            new("cleanup.policy", ConfigOperation.Append, "compact"),
        ]));
    }

    [Fact]
    public void CheckIncremental_DuplicateNames_IsRefused()
    {
        var problem = ConfigOperations.CheckIncremental(
        [
            new("retention.ms", ConfigOperation.Set, "1000"),
            new("retention.ms", ConfigOperation.Delete, null),
        ]);
        Assert.Equal("Error due to duplicate config keys", problem);
    }

    [Fact]
    public void CheckIncremental_NullValueOutsideDelete_IsRefused()
    {
        var problem = ConfigOperations.CheckIncremental(
        [
            new("retention.ms", ConfigOperation.Set, null),
            new("cleanup.policy", ConfigOperation.Append, null),
            new("segment.bytes", ConfigOperation.Delete, null),
        ]);
        Assert.Equal("Null value not supported for : retention.ms, cleanup.policy", problem);
    }

    [Fact]
    public void CheckIncremental_UnknownOperation_IsRefused()
    {
        var problem = ConfigOperations.CheckIncremental([new("retention.ms", (ConfigOperation)7, "1")]);
        Assert.NotNull(problem);
        Assert.Contains("7", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckLegacy_DuplicatesAndNulls_AreRefused()
    {
        Assert.Null(ConfigOperations.CheckLegacy([new("retention.ms", "1"), new("segment.bytes", "1048576")]));
        Assert.Equal("Error due to duplicate config keys", ConfigOperations.CheckLegacy([new("retention.ms", "1"), new("retention.ms", "2")]));
        Assert.Equal("Null value not supported for : retention.ms", ConfigOperations.CheckLegacy([new("retention.ms", null)]));
    }

    [Fact]
    public void Set_AddsOrReplacesTheOverride()
    {
        var current = Overrides(("retention.ms", "1000"));
        var (result, error) = ConfigOperations.ApplyToTopic(current,
        [
            new("retention.ms", ConfigOperation.Set, "2000"),
            new("segment.bytes", ConfigOperation.Set, "1048576"),
        ], Broker);
        Assert.Null(error);
        Assert.Equal(Overrides(("retention.ms", "2000"), ("segment.bytes", "1048576")), result);
        Assert.Equal("1000", current["retention.ms"]);
    }

    [Fact]
    public void Delete_RemovesTheOverride_AndIgnoresAbsentOnes()
    {
        var (result, error) = ConfigOperations.ApplyToTopic(Overrides(("retention.ms", "1000"), ("segment.bytes", "1048576")),
        [
            new("retention.ms", ConfigOperation.Delete, null),
            new("flush.ms", ConfigOperation.Delete, null),
            new("no.such.config", ConfigOperation.Delete, null),
        ], Broker);
        Assert.Null(error);
        Assert.Equal(Overrides(("segment.bytes", "1048576")), result);
    }

    [Fact]
    public void Append_StartsFromTheDefault_AndSkipsItemsAlreadyPresent()
    {
        var (result, error) = ConfigOperations.ApplyToTopic(Overrides(), [new("cleanup.policy", ConfigOperation.Append, "compact,delete")], Broker);
        Assert.Null(error);
        Assert.Equal("delete,compact", result!["cleanup.policy"]);
    }

    [Fact]
    public void Subtract_RemovesItemsFromTheOverride()
    {
        var (result, error) = ConfigOperations.ApplyToTopic(Overrides(("cleanup.policy", "delete,compact")), [new("cleanup.policy", ConfigOperation.Subtract, "delete")], Broker);
        Assert.Null(error);
        Assert.Equal("compact", result!["cleanup.policy"]);
    }

    [Fact]
    public void Subtract_OfAnAbsentItem_LeavesTheValue()
    {
        var (result, error) = ConfigOperations.ApplyToTopic(Overrides(), [new("cleanup.policy", ConfigOperation.Subtract, "compact")], Broker);
        Assert.Null(error);
        Assert.Equal("delete", result!["cleanup.policy"]);
    }

    [Theory]
    [InlineData(ConfigOperation.Append, "retention.ms", "Can't APPEND to key retention.ms because its type is not LIST.")]
    [InlineData(ConfigOperation.Subtract, "compression.type", "Can't SUBTRACT to key compression.type because its type is not LIST.")]
    [InlineData(ConfigOperation.Append, "no.such.config", "Can't APPEND to key no.such.config because its type is not LIST.")]
    public void AppendOrSubtract_OnANonListConfig_IsAnError(ConfigOperation operation, string name, string expected)
    {
        var (result, error) = ConfigOperations.ApplyToTopic(Overrides(), [new(name, operation, "x")], Broker);
        Assert.Null(result);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Operations_ApplyInOrder()
    {
        var (result, error) = ConfigOperations.ApplyToTopic(Overrides(),
        [
            new("cleanup.policy", ConfigOperation.Set, "compact"),
            new("cleanup.policy", ConfigOperation.Append, "delete"),
        ], Broker);
        Assert.Null(error);
        Assert.Equal("compact,delete", result!["cleanup.policy"]);
    }

    [Fact]
    public void Result_IsValidatedSeparately()
    {
        var (result, error) = ConfigOperations.ApplyToTopic(Overrides(), [new("retention.ms", ConfigOperation.Set, "soon")], Broker);
        Assert.Null(error);
        Assert.NotNull(TopicConfigs.Validate(result!.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value))));
    }
}
