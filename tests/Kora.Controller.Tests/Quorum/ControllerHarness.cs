using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Protocol.Primitives;
using Kora.Raft;
using Kora.Raft.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Controller.Tests.Quorum;

/// <summary>
/// A <see cref="QuorumController"/> over a log that only records appends: the test decides when a batch
/// commits (<see cref="CommitAll"/>), as the Raft core would once a majority has it.
/// </summary>
internal sealed class ControllerHarness : IControllerLog
{
    private readonly List<(long BaseOffset, IReadOnlyList<ReadOnlyMemory<byte>> Records)> _uncommitted = [];
    private long _nextOffset;

    public ControllerHarness(int nodeId = 1, Action<ControllerOptions>? configure = null)
    {
        NodeId = nodeId;
        Options = new ControllerOptions { NodeId = nodeId, BrokerSessionTimeoutMs = 9000 };
        configure?.Invoke(Options);
        Controller = new QuorumController(nodeId, Options, this, () => Now, NullLogger.Instance);
    }

    public int NodeId { get; }
    public ControllerOptions Options { get; }
    public QuorumController Controller { get; }
    public long Now { get; set; } = 1_000_000;
    public int Epoch { get; private set; } = 1;
    public bool Leading { get; set; } = true;
    public List<(OffsetAndEpoch Id, byte[] Content)> Snapshots { get; } = [];

    public long? TryAppend(IReadOnlyList<ReadOnlyMemory<byte>> records, long now)
    {
        if (!Leading)
        {
            return null;
        }
        var baseOffset = _nextOffset;
        _uncommitted.Add((baseOffset, records.Select(r => (ReadOnlyMemory<byte>)r.ToArray()).ToList()));
        _nextOffset += records.Count;
        return baseOffset;
    }

    public void CreateSnapshot(OffsetAndEpoch id, ReadOnlySpan<byte> content) => Snapshots.Add((id, content.ToArray()));

    public void BecomeLeader()
    {
        Leading = true;
        Controller.OnLeaderChange(NodeId, ++Epoch);
    }

    public void LoseLeadership(int newLeader)
    {
        Leading = false;
        _uncommitted.Clear();
        Controller.OnLeaderChange(newLeader, ++Epoch);
    }

    /// <summary>Delivers every appended batch as committed, in order.</summary>
    public void CommitAll()
    {
        foreach (var (baseOffset, records) in _uncommitted)
        {
            var bytes = RaftBatches.BuildData(baseOffset, Epoch, Now, records);
            Controller.OnCommit(new RaftBatch { BaseOffset = baseOffset, LastOffset = baseOffset + records.Count - 1, Epoch = Epoch, IsControl = false, Bytes = bytes });
        }
        _uncommitted.Clear();
    }

    public int UncommittedBatches => _uncommitted.Count;

    /// <summary>Runs an operation to its committed answer.</summary>
    public T Run<T>(Func<QuorumController, Task<T>> operation)
    {
        var task = operation(Controller);
        CommitAll();
        Assert.True(task.IsCompleted, "The operation did not complete once its records committed.");
        return task.GetAwaiter().GetResult();
    }

    public long RegisterBroker(int id, string? rack = null, bool unfence = true)
    {
        var result = Run(c => c.RegisterBroker(new BrokerRegistrationRequestData(
            id, null, Guid.NewGuid(), [new BrokerEndpoint("PLAINTEXT", "127.0.0.1", 9000 + id, 0)], rack, -1), Now));
        Assert.Equal(ErrorCode.None, result.Error);
        if (unfence)
        {
            var heartbeat = Run(c => c.Heartbeat(id, result.BrokerEpoch, long.MaxValue, false, false, Now));
            Assert.False(heartbeat.IsFenced);
        }
        return result.BrokerEpoch;
    }

    public TopicChangeResult CreateTopic(string name, int partitions, short replicationFactor, params (string Key, string Value)[] configs) =>
        Run(c => c.Write(image => TopicChanges.Create(image, new TopicSpec(name, partitions, replicationFactor, null,
            configs.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)).ToList()), Options, validateOnly: false)));

    public MetadataImage Image => Controller.Image;
}
