using Kora.Protocol.Primitives;

namespace Kora.Broker.Coordinators;

/// <summary>
/// How Kafka's coordinators turn the error of their own acks=-1 append into what the client is told
/// (GroupMetadataManager and TransactionStateManager): a write the replicas could not take leaves the
/// coordinator unavailable for now, a lost leadership sends the client to look the coordinator up again.
/// </summary>
public static class CoordinatorWriteErrors
{
    /// <summary>OffsetCommit and TxnOffsetCommit.</summary>
    public static ErrorCode ForOffsetCommit(ErrorCode error) => error switch
    {
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.InvalidCommitOffsetSize,
        _ => ForGroupWrite(error),
    };

    /// <summary>Group metadata (SyncGroup's assignment) and other group records.</summary>
    public static ErrorCode ForGroupWrite(ErrorCode error) => error switch
    {
        ErrorCode.None => ErrorCode.None,
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
            or ErrorCode.RequestTimedOut => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError => ErrorCode.NotCoordinator,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.UnknownServerError,
        var other => other,
    };

    /// <summary>Transaction state records (TransactionStateManager.appendTransactionToLog).</summary>
    public static ErrorCode ForTransactionState(ErrorCode error) => ForGroupWrite(error);
}
