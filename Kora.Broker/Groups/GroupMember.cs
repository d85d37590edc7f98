namespace Kora.Broker.Groups;

/// <summary>A member of a classic group: its identity, timeouts, protocols, assignment and the requests it waits on.</summary>
public sealed class GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
{
    public string MemberId { get; set; } = memberId;
    public string? GroupInstanceId { get; } = groupInstanceId;
    public string ClientId { get; set; } = clientId;
    public string ClientHost { get; set; } = clientHost;
    public int SessionTimeoutMs { get; set; }
    public int RebalanceTimeoutMs { get; set; }
    public string ProtocolType { get; set; } = "";
    public IReadOnlyList<MemberProtocol> Protocols { get; set; } = [];
    public byte[] Assignment { get; set; } = [];
    public long LastHeartbeatMs { get; set; }
    public bool IsNew { get; set; }
    public short JoinVersion { get; set; }
    public TaskCompletionSource<JoinGroupResult>? AwaitingJoin { get; set; }
    public TaskCompletionSource<SyncGroupResult>? AwaitingSync { get; set; }

    public byte[]? MetadataFor(string? protocol) => Protocols.FirstOrDefault(p => p.Name == protocol)?.Metadata;

    public bool SameProtocols(IReadOnlyList<MemberProtocol> other) =>
        Protocols.Count == other.Count && Protocols.Zip(other).All(p => p.First.Name == p.Second.Name && p.First.Metadata.AsSpan().SequenceEqual(p.Second.Metadata));

    public void CompleteJoin(JoinGroupResult result)
    {
        var pending = AwaitingJoin;
        AwaitingJoin = null;
        pending?.TrySetResult(result);
    }

    public void CompleteSync(SyncGroupResult result)
    {
        var pending = AwaitingSync;
        AwaitingSync = null;
        pending?.TrySetResult(result);
    }
}
