using Kora.Broker.Groups.Consumer;

namespace Kora.Broker.Tests.Groups.Consumer;

public class ReconciliationTests
{
    private static readonly Guid T = new("00000000-0000-0000-0000-00000000000a");

    private static Assignment Parts(params int[] partitions) => Assignment.From(partitions.Select(p => (T, p)));

    private static IReadOnlyList<OwnedTopicPartitions> Owned(params int[] partitions) => [new(T, partitions)];

    private static int Free(Guid topic, int partition) => -1;

    [Fact]
    public void NewMember_GetsFreePartitions_AtTheTargetEpoch()
    {
        var member = new ConsumerGroupMember("m");
        var next = Reconciliation.Reconcile(member, 3, Parts(0, 1), Free, []);
        Assert.Equal(MemberState.Stable, next.State);
        Assert.Equal(3, next.MemberEpoch);
        Assert.Equal(0, next.PreviousMemberEpoch);
        Assert.Equal(Parts(0, 1), next.Assigned);
    }

    [Fact]
    public void PartitionsOwnedByAnother_WaitUntilReleased()
    {
        var member = new ConsumerGroupMember("m");
        Func<Guid, int, int> ownerOfOne = (_, p) => p == 1 ? 2 : -1;
        var next = Reconciliation.Reconcile(member, 3, Parts(0, 1), ownerOfOne, []);
        Assert.Equal(MemberState.UnreleasedPartitions, next.State);
        Assert.Equal(3, next.MemberEpoch);
        Assert.Equal(Parts(0), next.Assigned);

        var released = Reconciliation.Reconcile(next, 3, Parts(0, 1), Free, Owned(0));
        Assert.Equal(MemberState.Stable, released.State);
        Assert.Equal(Parts(0, 1), released.Assigned);
    }

    [Fact]
    public void PartitionsToGiveUp_AreRevokedFirst_KeepingTheEpoch()
    {
        var member = new ConsumerGroupMember("m") { MemberEpoch = 3, PreviousMemberEpoch = 2, Assigned = Parts(0, 1, 2) };
        var revoking = Reconciliation.Reconcile(member, 4, Parts(0, 3), Free, Owned(0, 1, 2));
        Assert.Equal(MemberState.UnrevokedPartitions, revoking.State);
        Assert.Equal(3, revoking.MemberEpoch);
        Assert.Equal(Parts(0), revoking.Assigned);
        Assert.Equal(Parts(1, 2), revoking.PendingRevocation);

        // Still reporting a revoked partition (or not reporting at all): no progress.
        Assert.Same(revoking, Reconciliation.Reconcile(revoking, 4, Parts(0, 3), Free, Owned(0, 2)));
        Assert.Same(revoking, Reconciliation.Reconcile(revoking, 4, Parts(0, 3), Free, null));

        var done = Reconciliation.Reconcile(revoking, 4, Parts(0, 3), Free, Owned(0));
        Assert.Equal(MemberState.Stable, done.State);
        Assert.Equal(4, done.MemberEpoch);
        Assert.Equal(3, done.PreviousMemberEpoch);
        Assert.Equal(Parts(0, 3), done.Assigned);
        Assert.True(done.PendingRevocation.IsEmpty);
    }

    [Fact]
    public void PartitionsAlreadyGone_NeedNoRevocationRound()
    {
        var member = new ConsumerGroupMember("m") { MemberEpoch = 3, Assigned = Parts(0, 1) };
        var next = Reconciliation.Reconcile(member, 4, Parts(0), Free, Owned(0));
        Assert.Equal(MemberState.Stable, next.State);
        Assert.Equal(4, next.MemberEpoch);
        Assert.Equal(Parts(0), next.Assigned);
    }

    [Fact]
    public void ReconciledMember_IsLeftAlone()
    {
        var member = new ConsumerGroupMember("m") { MemberEpoch = 4, Assigned = Parts(0) };
        Assert.Same(member, Reconciliation.Reconcile(member, 4, Parts(0), Free, null));
    }
}
