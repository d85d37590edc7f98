namespace Kora.Broker.Groups;

/// <summary>
/// An offset commit written to <c>__consumer_offsets</c>, to confirm or fail once the write's outcome is known: the
/// group it was made on (a group deleted or reloaded meanwhile is another object, which the confirmation must not
/// touch) and its place in the write order.
/// </summary>
public readonly record struct OffsetWrite(Group? Group, long Sequence);
