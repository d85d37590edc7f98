using Kora.Broker.Partitions;
using Kora.Metadata;
using Kora.Storage.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>
/// One broker's replica of the partition: its log directory, the Partition object while the process runs, the
/// metadata it has been told, and its fetcher's state. A crash drops the process state and keeps the files.
/// </summary>
internal sealed class SimBroker(int id, string directory, Guid topicId, LogConfig config, SimClock clock)
{
    public int Id { get; } = id;

    public bool Alive => Partition is not null;

    public Partition? Partition { get; private set; }

    public long Epoch { get; set; }

    /// <summary>The metadata offset this broker has applied.</summary>
    public long SeenOffset { get; set; } = -1;

    /// <summary>The high watermark in its last checkpoint (Kafka's replication-offset-checkpoint).</summary>
    public long CheckpointedHighWatermark { get; set; }

    /// <summary>The fetcher's state while following, null while leading or offline.</summary>
    public FollowState? Following { get; private set; }

    /// <summary>What the log held when the process died: its files until it restarts.</summary>
    public List<LoggedBatch> OnDisk { get; private set; } = [];

    public void Start()
    {
        var log = PartitionLog.Open(directory, config, clock, NullLogger.Instance, CheckpointedHighWatermark);
        Partition = new Partition(SimController.Topic, topicId, 0, log, config, Id);
        SeenOffset = -1;
        Following = null;
    }

    public void Crash()
    {
        var partition = Partition!;
        OnDisk = LoggedBatch.ReadAll(partition.Log);
        LogCrash.Abandon(partition.Log);
        Partition = null;
        Following = null;
    }

    public void Shutdown()
    {
        Partition?.Log.Close();
        Partition = null;
    }

    /// <summary>The batches of the replica: its live log, or what is on disk while it is down.</summary>
    public List<LoggedBatch> Batches() => Partition is { } partition ? LoggedBatch.ReadAll(partition.Log) : OnDisk;

    /// <summary>
    /// PartitionManager's reaction to a partition image: lead (a new epoch, or first time), take a newer image
    /// of the same leadership, or follow the named leader (stop fetching when there is none).
    /// </summary>
    public void Apply(MetadataImage image, long nowMs)
    {
        var partition = Partition!;
        var p = image.Topic(topicId)!.Partitions[0];
        var isNew = SeenOffset < 0;
        SeenOffset = image.Offset;
        var leads = p.Leader == Id;
        var epochChanged = isNew || partition.LeaderEpoch != p.LeaderEpoch;
        if (leads && (epochChanged || !partition.IsLeader))
        {
            Following = null;
            partition.MakeLeader(p, nowMs);
        }
        else if (leads)
        {
            partition.ApplyLeaderImage(p, nowMs);
        }
        else if (epochChanged || partition.IsLeader || partition.LeaderId != p.Leader)
        {
            partition.MakeFollower(p);
            Following = p.Leader >= 0 ? new FollowState(p.Leader, p.LeaderEpoch) : null;
        }
    }
}
