namespace Kora.Storage.Producers;

/// <summary>
/// A producer's state on one partition, as DescribeProducers reports it. <paramref name="LastSequence"/> and
/// <paramref name="LastOffset"/> are -1 when no batch of the current epoch is retained;
/// <paramref name="CurrentTxnFirstOffset"/> is -1 without an ongoing transaction.
/// </summary>
public sealed record ProducerState(
    long ProducerId,
    short ProducerEpoch,
    int LastSequence,
    long LastOffset,
    long LastTimestamp,
    int CoordinatorEpoch,
    long CurrentTxnFirstOffset,
    IReadOnlyList<BatchMetadata> Batches);
