using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>
/// The coordinator's view of one transactional id (Kafka's TransactionMetadata). A change is prepared as a
/// <see cref="TxnTransit"/> and marked pending, written to the log, and only then applied with
/// <see cref="CompleteTransition"/>; while one is pending, competing requests get CONCURRENT_TRANSACTIONS.
/// The coordinator's lock guards every member.
/// </summary>
public sealed class TransactionMetadata(string transactionalId)
{
    public const short NoProducerEpoch = -1;
    public const long NoProducerId = -1;

    public string TransactionalId { get; } = transactionalId;
    public long ProducerId { get; set; } = NoProducerId;
    public long LastProducerId { get; set; } = NoProducerId;
    public short ProducerEpoch { get; set; } = NoProducerEpoch;
    public short LastProducerEpoch { get; set; } = NoProducerEpoch;
    public int TimeoutMs { get; set; }
    public TransactionState State { get; set; } = TransactionState.Empty;
    public HashSet<TopicPartitionKey> Partitions { get; set; } = [];
    public long StartTimestampMs { get; set; } = -1;
    public long LastUpdateTimestampMs { get; set; } = -1;
    public TransactionState? PendingState { get; set; }

    /// <summary>A fence whose write failed keeps its bumped epoch, so a retry does not bump it twice.</summary>
    public bool HasFailedEpochFence { get; set; }

    public bool PendingTransitionInProgress => PendingState is not null;

    /// <summary>Kafka keeps Short.MaxValue back for fencing, so the last epoch a producer may hold is MaxValue - 1.</summary>
    public static bool IsEpochExhausted(short epoch) => epoch >= short.MaxValue - 1;

    public bool IsProducerEpochExhausted => IsEpochExhausted(ProducerEpoch);

    public static TransactionMetadata FromTransit(string transactionalId, TxnTransit transit)
    {
        var metadata = new TransactionMetadata(transactionalId);
        metadata.Apply(transit);
        return metadata;
    }

    public TxnTransit Snapshot() => new(ProducerId, LastProducerId, ProducerEpoch, LastProducerEpoch, TimeoutMs, State,
        new HashSet<TopicPartitionKey>(Partitions), StartTimestampMs, LastUpdateTimestampMs);

    /// <summary>Bumps the epoch (once, even across failed attempts) to fence the current producer before aborting its transaction.</summary>
    public TxnTransit PrepareFenceProducerEpoch()
    {
        var epoch = HasFailedEpochFence || ProducerEpoch == short.MaxValue ? ProducerEpoch : (short)(ProducerEpoch + 1);
        return Prepare(Snapshot() with { ProducerEpoch = epoch, State = TransactionState.PrepareEpochFence });
    }

    /// <summary>
    /// InitProducerId on an idle transactional id: a new epoch, or, with KIP-360's expected epoch, the same one
    /// for a retried call. PRODUCER_FENCED when the expected epoch is neither current nor last.
    /// </summary>
    public (ErrorCode Error, TxnTransit? Transit) PrepareIncrementProducerEpoch(int timeoutMs, short? expectedEpoch, long now)
    {
        var bumped = (short)(ProducerEpoch + 1);
        short epoch;
        short lastEpoch;
        if (expectedEpoch is null)
        {
            epoch = bumped;
            lastEpoch = NoProducerEpoch;
        }
        else if (ProducerEpoch == NoProducerEpoch || expectedEpoch == ProducerEpoch)
        {
            epoch = bumped;
            lastEpoch = ProducerEpoch;
        }
        else if (expectedEpoch == LastProducerEpoch)
        {
            epoch = ProducerEpoch;
            lastEpoch = LastProducerEpoch;
        }
        else
        {
            return (ErrorCode.ProducerFenced, null);
        }
        return (ErrorCode.None, Prepare(Snapshot() with
        {
            ProducerEpoch = epoch,
            LastProducerEpoch = lastEpoch,
            TimeoutMs = timeoutMs,
            State = TransactionState.Empty,
            Partitions = new HashSet<TopicPartitionKey>(),
            StartTimestampMs = -1,
            LastUpdateTimestampMs = now,
        }));
    }

    /// <summary>A new producer id at epoch 0 once the epochs of the current one are used up.</summary>
    public TxnTransit PrepareProducerIdRotation(long producerId, int timeoutMs, long now, bool recordLastEpoch) =>
        Prepare(Snapshot() with
        {
            ProducerId = producerId,
            LastProducerId = ProducerId,
            ProducerEpoch = 0,
            LastProducerEpoch = recordLastEpoch ? ProducerEpoch : NoProducerEpoch,
            TimeoutMs = timeoutMs,
            State = TransactionState.Empty,
            Partitions = new HashSet<TopicPartitionKey>(),
            StartTimestampMs = -1,
            LastUpdateTimestampMs = now,
        });

    public TxnTransit PrepareAddPartitions(IEnumerable<TopicPartitionKey> added, long now)
    {
        var starts = State is TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort;
        var partitions = new HashSet<TopicPartitionKey>(Partitions);
        partitions.UnionWith(added);
        return Prepare(Snapshot() with
        {
            State = TransactionState.Ongoing,
            Partitions = partitions,
            StartTimestampMs = starts ? now : StartTimestampMs,
            LastUpdateTimestampMs = now,
        });
    }

    public TxnTransit PrepareAbortOrCommit(TransactionState state, long now) =>
        Prepare(Snapshot() with { State = state, LastUpdateTimestampMs = now });

    public TxnTransit PrepareComplete(long now)
    {
        HasFailedEpochFence = false;
        var state = State == TransactionState.PrepareCommit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
        return Prepare(Snapshot() with { State = state, Partitions = new HashSet<TopicPartitionKey>(), LastUpdateTimestampMs = now });
    }

    public TxnTransit PrepareDead() =>
        Prepare(Snapshot() with { State = TransactionState.Dead, Partitions = new HashSet<TopicPartitionKey>() });

    private TxnTransit Prepare(TxnTransit transit)
    {
        if (PendingState is not null)
        {
            throw new InvalidOperationException($"Transaction {TransactionalId} already moves to {PendingState}; cannot move to {transit.State}.");
        }
        if (transit.State != TransactionState.PrepareEpochFence && !IsValidTransition(State, transit.State))
        {
            throw new InvalidOperationException($"Transaction {TransactionalId} cannot move from {State} to {transit.State}.");
        }
        PendingState = transit.State;
        // As in Kafka, the last producer id follows the current one except across a rotation, which sets it itself.
        return transit.ProducerId == ProducerId ? transit with { LastProducerId = ProducerId } : transit;
    }

    /// <summary>Kafka's table of legal previous states for each target state.</summary>
    public static bool IsValidTransition(TransactionState from, TransactionState to) => to switch
    {
        TransactionState.Empty => from is TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort,
        TransactionState.Ongoing => from is TransactionState.Ongoing or TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort,
        TransactionState.PrepareCommit => from is TransactionState.Ongoing,
        TransactionState.PrepareAbort => from is TransactionState.Ongoing or TransactionState.PrepareEpochFence,
        TransactionState.CompleteCommit => from is TransactionState.PrepareCommit,
        TransactionState.CompleteAbort => from is TransactionState.PrepareAbort,
        TransactionState.Dead => from is TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort,
        TransactionState.PrepareEpochFence => from is TransactionState.Ongoing,
        _ => false,
    };

    /// <summary>Applies a transit whose record is now durable.</summary>
    public void CompleteTransition(TxnTransit transit)
    {
        if (PendingState != transit.State)
        {
            throw new InvalidOperationException($"Transaction {TransactionalId} completes {transit.State} while {PendingState?.ToString() ?? "nothing"} is pending.");
        }
        Apply(transit);
        PendingState = null;
    }

    private void Apply(TxnTransit transit)
    {
        ProducerId = transit.ProducerId;
        LastProducerId = transit.LastProducerId;
        ProducerEpoch = transit.ProducerEpoch;
        LastProducerEpoch = transit.LastProducerEpoch;
        TimeoutMs = transit.TimeoutMs;
        State = transit.State;
        Partitions = new HashSet<TopicPartitionKey>(transit.Partitions);
        StartTimestampMs = transit.StartTimestampMs;
        LastUpdateTimestampMs = transit.LastUpdateTimestampMs;
    }
}
