namespace Kora.Raft;

/// <summary>
/// A position in the replicated log together with the leader epoch it belongs to. Ordered by epoch
/// first, then offset: this is the order Raft's "log is at least as up to date" rule compares in.
/// </summary>
public readonly record struct OffsetAndEpoch(long Offset, int Epoch) : IComparable<OffsetAndEpoch>
{
    public int CompareTo(OffsetAndEpoch other)
    {
        var byEpoch = Epoch.CompareTo(other.Epoch);
        return byEpoch != 0 ? byEpoch : Offset.CompareTo(other.Offset);
    }

    public static bool operator <(OffsetAndEpoch left, OffsetAndEpoch right) => left.CompareTo(right) < 0;
    public static bool operator >(OffsetAndEpoch left, OffsetAndEpoch right) => left.CompareTo(right) > 0;
    public static bool operator <=(OffsetAndEpoch left, OffsetAndEpoch right) => left.CompareTo(right) <= 0;
    public static bool operator >=(OffsetAndEpoch left, OffsetAndEpoch right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"(offset {Offset}, epoch {Epoch})";
}
