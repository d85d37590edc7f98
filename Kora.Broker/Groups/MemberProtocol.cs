namespace Kora.Broker.Groups;

/// <summary>One protocol (assignor) a member supports, with its subscription metadata.</summary>
public sealed record MemberProtocol(string Name, byte[] Metadata);
