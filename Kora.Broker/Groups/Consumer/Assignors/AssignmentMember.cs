namespace Kora.Broker.Groups.Consumer.Assignors;

/// <summary>A member as an assignor sees it: the topics it subscribes to and its current target, which sticky assignors keep.</summary>
public sealed record AssignmentMember(string MemberId, string? InstanceId, string? RackId, IReadOnlySet<Guid> Topics, Assignment Current);
