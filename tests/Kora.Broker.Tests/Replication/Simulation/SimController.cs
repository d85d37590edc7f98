using Kora.Controller.Partitions;
using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>
/// The active controller without Raft: the metadata image and the real decisions that change it (broker
/// registration, fencing and unfencing with Kafka's leader moves, AlterPartition, preferred election), each
/// applied at once as if committed.
/// </summary>
internal sealed class SimController
{
    public const string Topic = "sim";

    private long _offset;

    public SimController(Guid topicId, int[] brokers)
    {
        TopicId = topicId;
        foreach (var id in brokers)
        {
            Register(id);
            Append([new UnfenceBrokerRecord { Id = id, Epoch = Image.Brokers[id].Epoch }]);
        }
        Append(
        [
            new TopicRecord { Name = Topic, TopicId = topicId },
            new PartitionRecord { TopicId = topicId, PartitionId = 0, Replicas = [.. brokers], Isr = [.. brokers], Leader = brokers[0], LeaderEpoch = 0, PartitionEpoch = 0 },
        ]);
    }

    public Guid TopicId { get; }

    public MetadataImage Image { get; private set; } = MetadataImage.Empty;

    public PartitionImage Partition => Image.Topic(TopicId)!.Partitions[0];

    public long BrokerEpoch(int id) => Image.Brokers[id].Epoch;

    public bool IsFenced(int id) => Image.Brokers[id].Fenced;

    /// <summary>Kafka's registerBroker: a new epoch, fenced; an old incarnation still unfenced loses its leaderships now.</summary>
    public long Register(int id)
    {
        var existing = Image.Brokers.GetValueOrDefault(id);
        var epoch = Math.Max(Image.Offset + 1, (existing?.Epoch ?? -1) + 1);
        var records = new List<IKafkaMessage>
        {
            new RegisterBrokerRecord
            {
                BrokerId = id,
                IncarnationId = Guid.NewGuid(),
                BrokerEpoch = epoch,
                EndPoints = [new RegisterBrokerRecord.BrokerEndpoint { Name = "PLAINTEXT", Host = "127.0.0.1", Port = (ushort)(9090 + id), SecurityProtocol = 0 }],
                Fenced = true,
            },
        };
        if (existing is { Fenced: false })
        {
            records.AddRange(PartitionLeadership.MoveAwayFrom(MetadataImageBuilder.ApplyAll(Image, records), id));
        }
        Append(records);
        return epoch;
    }

    /// <summary>The broker's lease expired: fenced, out of every ISR but a last one, its leaderships moved.</summary>
    public void Fence(int id)
    {
        var broker = Image.Brokers[id];
        if (broker.Fenced)
        {
            return;
        }
        var records = new List<IKafkaMessage> { new FenceBrokerRecord { Id = id, Epoch = broker.Epoch } };
        records.AddRange(PartitionLeadership.MoveAwayFrom(MetadataImageBuilder.ApplyAll(Image, records), id));
        Append(records);
    }

    /// <summary>A caught-up heartbeat: unfenced, and offline partitions it can lead elect it.</summary>
    public void Unfence(int id)
    {
        var records = new List<IKafkaMessage> { new UnfenceBrokerRecord { Id = id, Epoch = Image.Brokers[id].Epoch } };
        records.AddRange(PartitionLeadership.ElectOnReturn(MetadataImageBuilder.ApplyAll(Image, records), id));
        Append(records);
    }

    /// <summary>ElectLeaders(PREFERRED): whether leadership moved back to the first replica.</summary>
    public bool ElectPreferred()
    {
        var partition = Partition;
        if (partition.Leader == partition.PreferredLeader)
        {
            return false;
        }
        var change = new PartitionChangeBuilder(Image, TopicId, partition) { Election = Election.Preferred }.Build();
        if (change is null || change.Leader != partition.PreferredLeader)
        {
            return false;
        }
        Append([change]);
        return true;
    }

    /// <summary>AlterPartition v3, decided and committed as the quorum controller does.</summary>
    public AlterPartitionResponse AlterPartition(AlterPartitionRequest request)
    {
        var decision = AlterPartitionDecider.Decide(Image, request, 3);
        Append(decision.Records);
        return decision.Result;
    }

    private void Append(IEnumerable<IKafkaMessage> records)
    {
        foreach (var record in records)
        {
            Image = MetadataImageBuilder.Apply(Image, record, ++_offset);
        }
    }

    /// <summary>The partition as text for the trace.</summary>
    public static string Describe(PartitionImage p) =>
        $"leader={p.Leader} epoch={p.LeaderEpoch} isr=[{string.Join(',', p.Isr)}] partitionEpoch={p.PartitionEpoch}";
}
