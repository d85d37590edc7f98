namespace Kora.Broker.Replication.Sessions;

/// <summary>
/// What a follower asks of one partition in a fetch: the fields Kafka's FetchRequest.PartitionData compares to
/// decide whether an incremental request must carry the partition again.
/// </summary>
internal readonly record struct ReplicaFetchPartition(
    Guid TopicId,
    string Topic,
    int Partition,
    int CurrentLeaderEpoch,
    long FetchOffset,
    int LastFetchedEpoch,
    long LogStartOffset,
    int MaxBytes);
