using Kora.Broker.Groups;

namespace Kora.Broker.Tests.Groups;

public class GroupRecordCodecTests
{
    [Fact]
    public void GroupMetadata_RoundTrips_InKafkaLayout()
    {
        var stored = new StoredGroup("consumer", 7, "range", "m1", 1234,
            [new StoredMember("m1", "inst", "client", "/127.0.0.1", 30000, 10000, [1, 2], [3])]);
        var key = GroupRecordCodec.GroupKey("grp");
        Assert.Equal(new byte[] { 0, 2, 0, 3, (byte)'g', (byte)'r', (byte)'p' }, key);
        var decoded = GroupRecordCodec.ReadGroupValue(GroupRecordCodec.GroupValue(stored));
        Assert.Equal(stored with { Members = [] }, decoded with { Members = [] });
        var m = Assert.Single(decoded.Members);
        Assert.Equal(("m1", "inst", 30000, 10000), (m.MemberId, m.GroupInstanceId, m.RebalanceTimeoutMs, m.SessionTimeoutMs));
        Assert.Equal(new byte[] { 1, 2 }, m.Subscription);
        Assert.Equal(new GroupRecordKey("grp", null, -1), GroupRecordCodec.ReadKey(key));
    }

    [Fact]
    public void OffsetCommit_KeyV1AndValueV3()
    {
        var key = GroupRecordCodec.OffsetKey("g", "t", 5);
        Assert.Equal(new byte[] { 0, 1, 0, 1, (byte)'g', 0, 1, (byte)'t', 0, 0, 0, 5 }, key);
        var value = GroupRecordCodec.OffsetValue(new CommittedOffset(42, 3, "m", 99));
        Assert.Equal(2 + 8 + 4 + 3 + 8, value.Length);
        Assert.Equal(new CommittedOffset(42, 3, "m", 99), GroupRecordCodec.ReadOffsetValue(value));
    }
}
