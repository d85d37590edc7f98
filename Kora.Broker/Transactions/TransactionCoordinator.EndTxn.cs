using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>EndTxn: PrepareCommit/PrepareAbort made durable, then markers in the background, then CompleteCommit/CompleteAbort.</summary>
public sealed partial class TransactionCoordinator
{
    /// <summary>A producer's EndTxn: answered once the transaction is complete, or once <see cref="TransactionSettings.EndTxnCompletionWaitMs"/> has passed.</summary>
    public async ValueTask<ErrorCode> EndTransactionAsync(string transactionalId, long producerId, short producerEpoch, bool commit)
    {
        Task? completion = null;
        var error = await EndTransactionAsync(transactionalId, producerId, producerEpoch, commit, fromClient: true, c => completion = c).ConfigureAwait(false);
        if (completion is not null && settings.EndTxnCompletionWaitMs > 0)
        {
            try
            {
                await completion.WaitAsync(TimeSpan.FromMilliseconds(settings.EndTxnCompletionWaitMs)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The decision is durable and the markers keep going in the background.
            }
        }
        return error;
    }

    private ValueTask<ErrorCode> EndTransactionAsync(string transactionalId, long producerId, short producerEpoch, bool commit, bool fromClient) =>
        EndTransactionAsync(transactionalId, producerId, producerEpoch, commit, fromClient, started: null);

    /// <param name="fromClient">False when the coordinator aborts on its own (fencing, timeout) with an epoch it bumped itself.</param>
    private async ValueTask<ErrorCode> EndTransactionAsync(string transactionalId, long producerId, short producerEpoch, bool commit, bool fromClient,
        Action<Task>? started)
    {
        if (string.IsNullOrEmpty(transactionalId))
        {
            return ErrorCode.InvalidRequest;
        }
        if (Unavailable(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return unavailable;
        }
        TransactionMetadata? metadata;
        TxnTransit transit;
        var isEpochFence = false;
        lock (_lock)
        {
            if (!_transactions.TryGetValue(transactionalId, out metadata) || metadata.ProducerId != producerId)
            {
                return ErrorCode.InvalidProducerIdMapping;
            }
            // A client must hold the current epoch exactly; the coordinator's own abort carries a bumped one.
            if ((fromClient && producerEpoch != metadata.ProducerEpoch) || producerEpoch < metadata.ProducerEpoch)
            {
                return ErrorCode.ProducerFenced;
            }
            var fencing = metadata.PendingState == TransactionState.PrepareEpochFence;
            if (metadata.PendingTransitionInProgress && !fencing)
            {
                return ErrorCode.ConcurrentTransactions;
            }
            switch (metadata.State)
            {
                case TransactionState.Ongoing:
                    if (fencing && commit)
                    {
                        return ErrorCode.ConcurrentTransactions;
                    }
                    if (fencing)
                    {
                        isEpochFence = true;
                        metadata.PendingState = null;
                        metadata.ProducerEpoch = producerEpoch;
                        metadata.LastProducerEpoch = TransactionMetadata.NoProducerEpoch;
                    }
                    transit = metadata.PrepareAbortOrCommit(commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort, Now);
                    break;
                case TransactionState.CompleteCommit:
                    return commit ? ErrorCode.None : ErrorCode.InvalidTxnState;
                case TransactionState.CompleteAbort:
                    return commit ? ErrorCode.InvalidTxnState : ErrorCode.None;
                case TransactionState.PrepareCommit:
                    return commit ? ErrorCode.ConcurrentTransactions : ErrorCode.InvalidTxnState;
                case TransactionState.PrepareAbort:
                    return commit ? ErrorCode.InvalidTxnState : ErrorCode.ConcurrentTransactions;
                case TransactionState.Empty:
                    return ErrorCode.InvalidTxnState;
                default:
                    return ErrorCode.ConcurrentTransactions;
            }
        }
        var error = await AppendAsync(metadata, transit).ConfigureAwait(false);
        if (error != ErrorCode.None)
        {
            if (isEpochFence)
            {
                lock (_lock)
                {
                    // The bumped epoch stays in memory, never returned to a client: the next fence reuses it.
                    metadata.HasFailedEpochFence = true;
                }
            }
            return error;
        }
        TxnTransit complete;
        HashSet<TopicPartitionKey> partitions;
        lock (_lock)
        {
            if (metadata.ProducerId != producerId)
            {
                return ErrorCode.InvalidProducerIdMapping;
            }
            if (metadata.ProducerEpoch != producerEpoch)
            {
                return ErrorCode.ProducerFenced;
            }
            if (metadata.PendingTransitionInProgress)
            {
                return ErrorCode.ConcurrentTransactions;
            }
            partitions = new HashSet<TopicPartitionKey>(metadata.Partitions);
            complete = metadata.PrepareComplete(Now);
        }
        var completion = CompleteAsync(metadata, complete, partitions, commit);
        Track(completion);
        started?.Invoke(completion);
        return ErrorCode.None;
    }

    /// <summary>Writes the markers (retrying until each partition has one or is gone), then the completed state.</summary>
    private async Task CompleteAsync(TransactionMetadata metadata, TxnTransit complete, IReadOnlyCollection<TopicPartitionKey> partitions, bool commit)
    {
        await Task.Yield();
        var stopping = _stopping.Token;
        var coordinatorEpoch = log.CoordinatorEpoch(metadata.TransactionalId);
        var writes = new List<Task>(partitions.Count);
        foreach (var partition in partitions)
        {
            writes.Add(WriteMarkerAsync(metadata.TransactionalId, partition, complete.ProducerId, complete.ProducerEpoch, coordinatorEpoch, commit, stopping));
        }
        try
        {
            await Task.WhenAll(writes).ConfigureAwait(false);
            while (true)
            {
                var error = await log.AppendAsync(metadata.TransactionalId, TransactionLogCodec.Key(metadata.TransactionalId),
                    TransactionLogCodec.Value(complete), CancellationToken.None).ConfigureAwait(false);
                if (error == ErrorCode.None)
                {
                    lock (_lock)
                    {
                        metadata.CompleteTransition(complete);
                    }
                    return;
                }
                Log.CompleteFailed(logger, metadata.TransactionalId, error);
                await Task.Delay(settings.RetryBackoffMs, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: the prepared state is durable, so the next start finishes the transaction.
        }
    }

    private async Task WriteMarkerAsync(string transactionalId, TopicPartitionKey partition, long producerId, short producerEpoch, int coordinatorEpoch, bool commit,
        CancellationToken stopping)
    {
        while (true)
        {
            ErrorCode error;
            try
            {
                error = await markers.WriteMarkerAsync(partition, producerId, producerEpoch, coordinatorEpoch, commit, stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                error = ErrorCode.KafkaStorageError;
            }
            // A partition deleted since it joined the transaction needs no marker, as in Kafka.
            if (error is ErrorCode.None or ErrorCode.UnknownTopicOrPartition)
            {
                return;
            }
            // The partition already holds a newer epoch or coordinator: this marker is obsolete there, and retrying cannot help.
            if (error is ErrorCode.InvalidProducerEpoch or ErrorCode.TransactionCoordinatorFenced)
            {
                Log.MarkerRejected(logger, commit ? "COMMIT" : "ABORT", transactionalId, partition.Topic, partition.Partition, error);
                return;
            }
            Log.MarkerFailed(logger, commit ? "COMMIT" : "ABORT", transactionalId, partition.Topic, partition.Partition, error);
            await Task.Delay(settings.RetryBackoffMs, stopping).ConfigureAwait(false);
        }
    }
}
