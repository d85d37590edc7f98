using Kora.Broker.Groups;
using Kora.Broker.Partitions;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Transactions;

/// <summary>
/// Writes markers to the partitions of this broker. A marker on a <c>__consumer_offsets</c> partition also
/// settles the producer's pending transactional offsets of the groups there, as Kafka's coordinator does
/// once the marker is written.
/// </summary>
public sealed class PartitionMarkerWriter(
    PartitionManager partitions, GroupCoordinator groups, ConsumerOffsetsLog offsetsLog, IOptions<BrokerOptions> options, TimeProvider time) : ITransactionMarkerWriter
{
    public async ValueTask<ErrorCode> WriteMarkerAsync(TopicPartitionKey partition, long producerId, short producerEpoch, int coordinatorEpoch, bool committed,
        CancellationToken cancellationToken)
    {
        if (partitions.Get(partition.Topic, partition.Partition) is not { } target)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }
        var error = await target.WriteTxnMarkerAsync(producerId, producerEpoch, coordinatorEpoch, committed,
            options.Value.TransactionStateWriteTimeoutMs, time, cancellationToken).ConfigureAwait(false);
        if (error == ErrorCode.None && partition.Topic == ConsumerOffsetsLog.TopicName)
        {
            groups.CompleteTransaction(producerId, committed, group => offsetsLog.PartitionFor(group) == partition.Partition);
        }
        return error;
    }
}
