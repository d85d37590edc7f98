using Kora.Broker.Groups.Consumer;
using Kora.Broker.Groups.Consumer.Assignors;

namespace Kora.Broker.Tests.Groups.Consumer;

public class RangeAssignorTests
{
    private static readonly Guid T1 = new("00000000-0000-0000-0000-000000000001");
    private static readonly Guid T2 = new("00000000-0000-0000-0000-000000000002");

    private static AssignmentMember Member(string id, params Guid[] topics) => new(id, null, null, topics.ToHashSet(), Assignment.Empty);

    [Fact]
    public void CoPartitionedTopics_GetTheSameContiguousRanges_FirstMembersTakingTheExtra()
    {
        var result = new RangeAssignor().Assign(new AssignmentSpec(
            [Member("b", T1, T2), Member("a", T1, T2)], new Dictionary<Guid, int> { [T1] = 3, [T2] = 3 }));
        Assert.Equal(Assignment.From([(T1, 0), (T1, 1), (T2, 0), (T2, 1)]), result["a"]);
        Assert.Equal(Assignment.From([(T1, 2), (T2, 2)]), result["b"]);
    }

    [Fact]
    public void EachTopic_IsSplitAmongItsOwnSubscribers()
    {
        var result = new RangeAssignor().Assign(new AssignmentSpec(
            [Member("a", T1), Member("b", T1, T2), Member("c", T2)], new Dictionary<Guid, int> { [T1] = 5, [T2] = 2 }));
        Assert.Equal(Assignment.From([(T1, 0), (T1, 1), (T1, 2)]), result["a"]);
        Assert.Equal(Assignment.From([(T1, 3), (T1, 4), (T2, 0)]), result["b"]);
        Assert.Equal(Assignment.From([(T2, 1)]), result["c"]);
    }

    [Fact]
    public void MoreMembersThanPartitions_LeavesTheLastOnesEmpty()
    {
        var result = new RangeAssignor().Assign(new AssignmentSpec(
            [Member("a", T1), Member("b", T1), Member("c", T1)], new Dictionary<Guid, int> { [T1] = 2 }));
        Assert.Equal(Assignment.From([(T1, 0)]), result["a"]);
        Assert.Equal(Assignment.From([(T1, 1)]), result["b"]);
        Assert.True(result["c"].IsEmpty);
    }
}
