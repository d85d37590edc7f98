using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>
/// Writes a transaction's COMMIT or ABORT control batch to one partition of this broker and makes it
/// durable. Returns None, or the error that kept the marker out (retried by the coordinator unless the
/// partition no longer exists).
/// </summary>
public interface ITransactionMarkerWriter
{
    ValueTask<ErrorCode> WriteMarkerAsync(TopicPartitionKey partition, long producerId, short producerEpoch, int coordinatorEpoch, bool committed,
        CancellationToken cancellationToken);
}
