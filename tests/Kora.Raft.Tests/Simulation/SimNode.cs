using Kora.Raft.Core;
using Kora.Raft.Log;
using Kora.Raft.Quorum;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Raft.Tests.Simulation;

/// <summary>One simulated machine: its disk survives crashes; the process (core, log cache, state machine) does not.</summary>
public sealed class SimNode(int id, RaftConfig config, SimulatedNetwork network, CommittedHistory history, Action<string> trace)
{
    private const string Directory = "/data/__cluster_metadata-0";

    public int Id { get; } = id;
    public RaftConfig Config { get; } = config;
    public SimulatedFileSystem Disk { get; } = new();
    public bool Alive { get; private set; }
    public RaftCore Core { get; private set; } = null!;
    public FileRaftLog Log { get; private set; } = null!;
    public SimStateMachine StateMachine { get; private set; } = null!;
    public int Incarnation { get; private set; }

    public void Start(long now, int seed)
    {
        Incarnation++;
        Log = FileRaftLog.Open(Disk, Directory, NullLogger.Instance, segmentBytes: 2048);
        if (Log.RecoveryReport is { } report)
        {
            trace($"node {Id} recovered: {report}");
        }
        var store = new FileQuorumStateStore(Disk, Directory + "/" + FileQuorumStateStore.FileName);
        StateMachine = new SimStateMachine(Id, history, trace, () => Core.Epoch);
        Core = new RaftCore(Config, Log, store, network.EndpointFor(Id), StateMachine, new Random(seed), NullLogger.Instance);
        Core.Initialize(now);
        Alive = true;
    }

    public void Crash(Random random, bool tornWrites)
    {
        Alive = false;
        network.DropFor(Id);
        var damaged = Disk.Crash(random, tornWrites);
        trace($"node {Id} crashed ({damaged} files lost unflushed data)");
    }
}
