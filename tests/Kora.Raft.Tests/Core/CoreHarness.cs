using System.Text;
using Kora.Protocol.Messages;
using Kora.Raft.Core;
using Kora.Raft.Log;
using Kora.Raft.Messages;
using Kora.Raft.Quorum;
using Kora.Raft.Tests.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Raft.Tests.Core;

/// <summary>One core on a simulated disk with a network that records what it sends; the test plays every peer.</summary>
internal sealed class CoreHarness : IRaftNetwork, IRaftListener
{
    public const string Directory = "/data/__cluster_metadata-0";
    private int _correlation = 1000;

    public CoreHarness(int nodeId = 1, int[]? voters = null, SimulatedFileSystem? disk = null, Action<CoreHarness>? prepare = null, IRaftFlushScheduler? flusher = null, int unreachableLeaderTimeoutMs = 0)
    {
        Disk = disk ?? new SimulatedFileSystem();
        Config = new RaftConfig
        {
            NodeId = nodeId,
            Voters = voters ?? [1, 2, 3],
            ClusterId = "test",
            ElectionTimeoutMs = 100,
            FetchTimeoutMs = 200,
            RequestTimeoutMs = 100,
            FetchMaxWaitMs = 0,
            ElectionBackoffBaseMs = 10,
            ElectionBackoffMaxMs = 100,
            UnreachableLeaderTimeoutMs = unreachableLeaderTimeoutMs,
        };
        Log = FileRaftLog.Open(Disk, Directory, NullLogger.Instance);
        Store = new FileQuorumStateStore(Disk, Directory + "/quorum-state");
        prepare?.Invoke(this);
        Core = new RaftCore(Config, Log, Store, this, this, new Random(1), NullLogger.Instance, flusher);
        Core.Initialize(Now);
    }

    public SimulatedFileSystem Disk { get; }
    public RaftConfig Config { get; }
    public FileRaftLog Log { get; }
    public FileQuorumStateStore Store { get; }
    public RaftCore Core { get; }
    public long Now { get; set; }
    public List<RaftMessage> Sent { get; } = [];
    public List<RaftBatch> Committed { get; } = [];
    public List<(int Leader, int Epoch)> LeaderChanges { get; } = [];
    public OffsetAndEpoch? LoadedSnapshot { get; private set; }

    public void Send(RaftMessage message) => Sent.Add(message);
    public void OnCommit(RaftBatch batch) => Committed.Add(batch);
    public void OnLoadSnapshot(OffsetAndEpoch id, ReadOnlyMemory<byte> content) => LoadedSnapshot = id;
    public void OnLeaderChange(int leaderId, int epoch) => LeaderChanges.Add((leaderId, epoch));

    public void Advance(long ms)
    {
        Now += ms;
        Core.Poll(Now);
    }

    /// <summary>Sends a request from <paramref name="from"/> through the codec and returns the core's answer, if any.</summary>
    public T? Request<T>(int from, short apiKey, Kora.Protocol.Primitives.IKafkaMessage body, bool preVote = false) where T : class
    {
        var before = Sent.Count;
        Core.Handle(RoundTrip(new RaftMessage
        {
            Source = from,
            Destination = Config.NodeId,
            CorrelationId = _correlation++,
            ApiKey = apiKey,
            ApiVersion = RaftApis.VersionOf(apiKey),
            IsResponse = false,
            Body = body,
            PreVote = preVote,
        }), Now);
        return Sent.Skip(before).Where(m => m.IsResponse && m.Destination == from).Select(m => RoundTrip(m).Body).OfType<T>().LastOrDefault();
    }

    /// <summary>Answers the last request the core sent to <paramref name="to"/>.</summary>
    public void Respond(int to, Kora.Protocol.Primitives.IKafkaMessage body)
    {
        var request = Sent.Last(m => !m.IsResponse && m.Destination == to);
        Core.Handle(RoundTrip(new RaftMessage
        {
            Source = to,
            Destination = Config.NodeId,
            CorrelationId = request.CorrelationId,
            ApiKey = request.ApiKey,
            ApiVersion = request.ApiVersion,
            IsResponse = true,
            Body = body,
        }), Now);
    }

    public List<RaftMessage> RequestsTo(int to, short apiKey) => Sent.Where(m => !m.IsResponse && m.Destination == to && m.ApiKey == apiKey).ToList();

    public static RaftMessage RoundTrip(RaftMessage message) => RaftCodec.Decode(RaftCodec.Encode(message));

    public static VoteRequest Vote(int candidate, int epoch, int lastEpoch, long lastOffset, string? clusterId = "test") => new()
    {
        ClusterId = clusterId,
        VoterId = -1,
        Topics = [new VoteRequest.TopicData { TopicName = RaftConfig.MetadataTopicName, Partitions = [new VoteRequest.PartitionData { CandidateId = candidate, CandidateEpoch = epoch, LastOffsetEpoch = lastEpoch, LastOffset = lastOffset }] }],
    };

    public static VoteResponse VoteAnswer(int epoch, bool granted, int leaderId = -1) => new()
    {
        Topics = [new VoteResponse.TopicData { TopicName = RaftConfig.MetadataTopicName, Partitions = [new VoteResponse.PartitionData { LeaderEpoch = epoch, LeaderId = leaderId, VoteGranted = granted }] }],
    };

    public static BeginQuorumEpochRequest BeginEpoch(int leader, int epoch) => new()
    {
        ClusterId = "test",
        Topics = [new BeginQuorumEpochRequest.TopicData { TopicName = RaftConfig.MetadataTopicName, Partitions = [new BeginQuorumEpochRequest.PartitionData { LeaderId = leader, LeaderEpoch = epoch }] }],
    };

    public static FetchRequest Fetch(int replica, int epoch, long offset, int lastEpoch, int maxWaitMs = 0) => new()
    {
        ClusterId = "test",
        ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = replica },
        MaxWaitMs = maxWaitMs,
        MaxBytes = 1 << 20,
        Topics = [new FetchRequest.FetchTopic { TopicId = RaftConfig.MetadataTopicId, Partitions = [new FetchRequest.FetchPartition { CurrentLeaderEpoch = epoch, FetchOffset = offset, LastFetchedEpoch = lastEpoch, PartitionMaxBytes = 1 << 20 }] }],
    };

    public static byte[] Data(long baseOffset, int epoch, params string[] values) =>
        RaftBatches.BuildData(baseOffset, epoch, 0, values.Select(v => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(v)).ToList());

    /// <summary>Drives a 3-voter core from start to leader of epoch 1 with votes from node 2.</summary>
    public void BecomeLeader()
    {
        Advance(Config.ElectionTimeoutMs * 2);
        Respond(2, VoteAnswer(Core.Epoch, granted: true));
        Advance(0);
        Respond(2, VoteAnswer(Core.Epoch, granted: true));
    }
}
