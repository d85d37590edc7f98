using Kora.Protocol.Messages;

namespace Kora.Raft.Messages;

/// <summary>The KRaft RPCs and the version of each that Kora's replicas speak to each other.</summary>
public static class RaftApis
{
    public const short VoteVersion = 1;
    public const short BeginQuorumEpochVersion = 1;
    public const short EndQuorumEpochVersion = 1;
    public const short FetchVersion = 17;
    public const short FetchSnapshotVersion = 1;
    public const short DescribeQuorumVersion = 2;

    public static short VersionOf(short apiKey) => apiKey switch
    {
        VoteRequest.ApiKey => VoteVersion,
        BeginQuorumEpochRequest.ApiKey => BeginQuorumEpochVersion,
        EndQuorumEpochRequest.ApiKey => EndQuorumEpochVersion,
        FetchRequest.ApiKey => FetchVersion,
        FetchSnapshotRequest.ApiKey => FetchSnapshotVersion,
        DescribeQuorumRequest.ApiKey => DescribeQuorumVersion,
        _ => throw new ArgumentOutOfRangeException(nameof(apiKey), apiKey, "Not a KRaft RPC."),
    };
}
