using Kora.Controller.Tests.Quorum;
using Kora.Metadata;
using Kora.Protocol.Messages;

namespace Kora.Controller.Tests.Partitions;

/// <summary>Builds the partition requests the tests send, from the partition as the controller sees it.</summary>
internal static class PartitionRequests
{
    /// <summary>A harness with active brokers 1-3 and topic <paramref name="topic"/> of RF 3.</summary>
    public static ControllerHarness ThreeBrokers(string topic = "t", int partitions = 1, params (string Key, string Value)[] configs) =>
        ThreeBrokers(_ => { }, topic, partitions, configs);

    public static ControllerHarness ThreeBrokers(Action<ControllerOptions> configure, string topic = "t", int partitions = 1, params (string Key, string Value)[] configs)
    {
        var h = new ControllerHarness(configure: configure);
        h.BecomeLeader();
        h.RegisterBroker(1);
        h.RegisterBroker(2);
        h.RegisterBroker(3);
        h.CreateTopic(topic, partitions, 3, configs);
        return h;
    }

    public static PartitionImage Partition(this ControllerHarness h, string topic = "t", int index = 0) => h.Image.Topic(topic)!.Partitions[index];

    /// <summary>AlterPartition from the current leader with the partition's current epochs, as version <paramref name="version"/>.</summary>
    public static AlterPartitionResponse AlterIsr(this ControllerHarness h, int[] newIsr, short version = 3, string topic = "t", int index = 0,
        int? brokerId = null, long? brokerEpoch = null, int? leaderEpoch = null, int? partitionEpoch = null, long[]? isrEpochs = null, sbyte recovery = 0)
    {
        var partition = h.Partition(topic, index);
        var sender = brokerId ?? partition.Leader;
        var request = new AlterPartitionRequest
        {
            BrokerId = sender,
            BrokerEpoch = brokerEpoch ?? h.Image.Brokers[sender].Epoch,
            Topics =
            [
                new AlterPartitionRequest.TopicData
                {
                    TopicName = topic,
                    TopicId = h.Image.Topic(topic)!.Id,
                    Partitions =
                    [
                        new AlterPartitionRequest.PartitionData
                        {
                            PartitionIndex = index,
                            LeaderEpoch = leaderEpoch ?? partition.LeaderEpoch,
                            PartitionEpoch = partitionEpoch ?? partition.PartitionEpoch,
                            NewIsr = [.. newIsr],
                            NewIsrWithEpochs = newIsr.Select((id, i) => new AlterPartitionRequest.BrokerState
                            {
                                BrokerId = id,
                                BrokerEpoch = isrEpochs?[i] ?? h.Image.Brokers[id].Epoch,
                            }).ToList(),
                            LeaderRecoveryState = recovery,
                        },
                    ],
                },
            ],
        };
        return h.Run(c => c.AlterPartition(request, version));
    }

    public static ElectLeadersResponse Elect(this ControllerHarness h, sbyte electionType, params (string Topic, int Partition)[] partitions) =>
        h.Run(c => c.ElectLeaders(new ElectLeadersRequest
        {
            ElectionType = electionType,
            TopicPartitions = partitions.Length == 0 ? null : partitions.GroupBy(p => p.Topic).Select(g => new ElectLeadersRequest.TopicPartitionsData
            {
                Topic = g.Key,
                Partitions = g.Select(p => p.Partition).ToList(),
            }).ToList(),
        }));

    public static AlterPartitionReassignmentsResponse Reassign(this ControllerHarness h, string topic, int index, int[]? replicas) =>
        h.Run(c => c.AlterPartitionReassignments(new AlterPartitionReassignmentsRequest
        {
            Topics =
            [
                new AlterPartitionReassignmentsRequest.ReassignableTopic
                {
                    Name = topic,
                    Partitions = [new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = index, Replicas = replicas?.ToList() }],
                },
            ],
        }));

    /// <summary>Fences a broker through its heartbeat, as a lost session would.</summary>
    public static void Fence(this ControllerHarness h, int brokerId) =>
        h.Run(c => c.Heartbeat(brokerId, h.Image.Brokers[brokerId].Epoch, long.MaxValue, true, false, h.Now));

    public static void Unfence(this ControllerHarness h, int brokerId) =>
        h.Run(c => c.Heartbeat(brokerId, h.Image.Brokers[brokerId].Epoch, long.MaxValue, false, false, h.Now));
}
