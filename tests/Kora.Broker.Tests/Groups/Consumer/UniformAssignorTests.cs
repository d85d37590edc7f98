using Kora.Broker.Groups.Consumer;
using Kora.Broker.Groups.Consumer.Assignors;

namespace Kora.Broker.Tests.Groups.Consumer;

public class UniformAssignorTests
{
    private static readonly Guid T1 = new("00000000-0000-0000-0000-000000000001");
    private static readonly Guid T2 = new("00000000-0000-0000-0000-000000000002");

    private static AssignmentMember Member(string id, Assignment? current = null, params Guid[] topics) =>
        new(id, null, null, (topics.Length == 0 ? [T1] : topics).ToHashSet(), current ?? Assignment.Empty);

    private static IReadOnlyDictionary<string, Assignment> Assign(IReadOnlyDictionary<Guid, int> counts, params AssignmentMember[] members) =>
        new UniformAssignor().Assign(new AssignmentSpec(members, counts));

    private static void AssertEachPartitionOnce(IReadOnlyDictionary<string, Assignment> result, IReadOnlyDictionary<Guid, int> counts)
    {
        var all = result.Values.SelectMany(a => a.All()).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(counts.Sum(c => c.Value), all.Count);
    }

    [Fact]
    public void SevenPartitionsOverThreeMembers_AreBalancedWithinOne()
    {
        var counts = new Dictionary<Guid, int> { [T1] = 7 };
        var result = Assign(counts, Member("a"), Member("b"), Member("c"));
        AssertEachPartitionOnce(result, counts);
        Assert.Equal([2, 2, 3], result.Values.Select(a => a.Count).Order());
    }

    [Fact]
    public void TwoTopics_AreSpreadOverAllMembers()
    {
        var counts = new Dictionary<Guid, int> { [T1] = 3, [T2] = 3 };
        var result = Assign(counts, Member("a", null, T1, T2), Member("b", null, T1, T2), Member("c", null, T1, T2));
        AssertEachPartitionOnce(result, counts);
        Assert.All(result.Values, a => Assert.Equal(2, a.Count));
    }

    [Fact]
    public void NewMember_TakesOnlyFromTheOverloaded_AndOthersKeepTheirPartitions()
    {
        var counts = new Dictionary<Guid, int> { [T1] = 6 };
        var first = Assign(counts, Member("a"), Member("b"));
        var second = Assign(counts, Member("a", first["a"]), Member("b", first["b"]), Member("c"));
        AssertEachPartitionOnce(second, counts);
        Assert.All(second.Values, a => Assert.Equal(2, a.Count));
        Assert.True(second["a"].All().All(first["a"].All().Contains));
        Assert.True(second["b"].All().All(first["b"].All().Contains));
    }

    [Fact]
    public void LeavingMember_OnlyItsPartitionsMove()
    {
        var counts = new Dictionary<Guid, int> { [T1] = 6 };
        var first = Assign(counts, Member("a"), Member("b"), Member("c"));
        var second = Assign(counts, Member("a", first["a"]), Member("c", first["c"]));
        AssertEachPartitionOnce(second, counts);
        Assert.Equal(3, second["a"].Count);
        Assert.Equal(3, second["c"].Count);
        Assert.True(first["a"].All().All(second["a"].All().Contains));
        Assert.True(first["c"].All().All(second["c"].All().Contains));
    }

    [Fact]
    public void HeterogeneousSubscriptions_OnlyAssignSubscribedTopics_AndBalanceWhatCanMove()
    {
        var counts = new Dictionary<Guid, int> { [T1] = 4, [T2] = 2 };
        var result = Assign(counts, Member("a", null, T1), Member("b", null, T1, T2), Member("c", null, T2));
        AssertEachPartitionOnce(result, counts);
        Assert.All(result["a"].Topics.Keys, t => Assert.Equal(T1, t));
        Assert.All(result["c"].Topics.Keys, t => Assert.Equal(T2, t));
        Assert.Equal([2, 2, 2], result.Values.Select(a => a.Count).Order());
    }

    [Fact]
    public void UnsubscribedOrVanishedPartitions_AreDroppedFromTheCurrentTarget()
    {
        var counts = new Dictionary<Guid, int> { [T1] = 2 };
        var stale = Assignment.From([(T1, 0), (T1, 5), (T2, 0)]);
        var result = Assign(counts, Member("a", stale, T1));
        Assert.Equal(Assignment.From([(T1, 0), (T1, 1)]), result["a"]);
    }

    [Fact]
    public void MemberWithoutTopics_GetsNothing()
    {
        var counts = new Dictionary<Guid, int> { [T1] = 3 };
        var result = new UniformAssignor().Assign(new AssignmentSpec(
            [Member("a"), new AssignmentMember("idle", null, null, new HashSet<Guid>(), Assignment.Empty)], counts));
        Assert.Equal(3, result["a"].Count);
        Assert.True(result["idle"].IsEmpty);
    }
}
