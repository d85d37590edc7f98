using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>InitProducerId with a transactional id: a new producer id, an epoch bump, or the fencing of an open transaction.</summary>
public sealed partial class TransactionCoordinator
{
    /// <param name="expected">KIP-360: the producer id and epoch the producer holds, when it re-initializes after an error.</param>
    public async ValueTask<InitProducerIdResult> InitProducerIdAsync(string transactionalId, int timeoutMs, (long ProducerId, short Epoch)? expected,
        CancellationToken cancellationToken)
    {
        if (transactionalId.Length == 0)
        {
            return InitProducerIdResult.Failed(ErrorCode.InvalidRequest);
        }
        if (timeoutMs <= 0 || timeoutMs > settings.MaxTimeoutMs)
        {
            return InitProducerIdResult.Failed(ErrorCode.InvalidTransactionTimeout);
        }
        if (Unavailable(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return InitProducerIdResult.Failed(unavailable);
        }
        long? freshId = null;
        while (true)
        {
            TransactionMetadata? metadata;
            ErrorCode error;
            TxnTransit? transit;
            bool needsId;
            lock (_lock)
            {
                if (!_transactions.TryGetValue(transactionalId, out metadata) && freshId is { } created)
                {
                    metadata = new TransactionMetadata(transactionalId) { ProducerId = created, TimeoutMs = timeoutMs, LastUpdateTimestampMs = Now };
                    _transactions[transactionalId] = metadata;
                    freshId = null;
                }
                (error, transit, needsId) = metadata is null ? (ErrorCode.None, null, true) : PrepareInit(metadata, timeoutMs, expected, ref freshId);
            }
            if (needsId)
            {
                freshId = await producerIds.NextAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (transit is null)
            {
                return InitProducerIdResult.Failed(error);
            }
            if (transit.State == TransactionState.PrepareEpochFence)
            {
                // The open transaction is aborted under the bumped epoch; the producer retries and then gets a fresh epoch.
                var aborted = await EndTransactionAsync(transactionalId, transit.ProducerId, transit.ProducerEpoch, commit: false, fromClient: false)
                    .ConfigureAwait(false);
                return InitProducerIdResult.Failed(aborted == ErrorCode.None ? ErrorCode.ConcurrentTransactions : aborted);
            }
            var written = await AppendAsync(metadata!, transit).ConfigureAwait(false);
            if (written != ErrorCode.None)
            {
                return InitProducerIdResult.Failed(written);
            }
            Log.Initialized(logger, transactionalId, transit.ProducerId, transit.ProducerEpoch);
            return new InitProducerIdResult(ErrorCode.None, transit.ProducerId, transit.ProducerEpoch);
        }
    }

    /// <summary>Kafka's prepareInitProducerIdTransit. Caller holds the lock. Asks for a producer id when it needs one it does not have.</summary>
    private (ErrorCode Error, TxnTransit? Transit, bool NeedsId) PrepareInit(TransactionMetadata metadata, int timeoutMs, (long ProducerId, short Epoch)? expected,
        ref long? freshId)
    {
        if (metadata.PendingTransitionInProgress)
        {
            return (ErrorCode.ConcurrentTransactions, null, false);
        }
        if (expected is { } e && !IsValidExpectedProducer(metadata, e.ProducerId, e.Epoch))
        {
            return (ErrorCode.ProducerFenced, null, false);
        }
        switch (metadata.State)
        {
            case TransactionState.PrepareAbort or TransactionState.PrepareCommit:
                return (ErrorCode.ConcurrentTransactions, null, false);
            case TransactionState.CompleteAbort or TransactionState.CompleteCommit or TransactionState.Empty:
                if (metadata.IsProducerEpochExhausted && (expected is null || expected.Value.Epoch == metadata.ProducerEpoch))
                {
                    if (freshId is not { } id)
                    {
                        return (ErrorCode.None, null, true);
                    }
                    freshId = null;
                    return (ErrorCode.None, metadata.PrepareProducerIdRotation(id, timeoutMs, Now, recordLastEpoch: expected is not null), false);
                }
                var (error, transit) = metadata.PrepareIncrementProducerEpoch(timeoutMs, expected?.Epoch, Now);
                return (error, transit, false);
            case TransactionState.Ongoing:
                return (ErrorCode.None, metadata.PrepareFenceProducerEpoch(), false);
            default:
                // Dead and PrepareEpochFence exist only while a change is pending, which was answered above.
                return (ErrorCode.ConcurrentTransactions, null, false);
        }
    }

    /// <summary>
    /// A producer that names its id and epoch is fenced unless the id is new (epoch -1), current, or the previous
    /// one with an exhausted epoch (a retried call whose rotation the producer never heard of).
    /// </summary>
    private static bool IsValidExpectedProducer(TransactionMetadata metadata, long producerId, short epoch) =>
        metadata.ProducerEpoch == TransactionMetadata.NoProducerEpoch
        || producerId == metadata.ProducerId
        || (producerId == metadata.LastProducerId && TransactionMetadata.IsEpochExhausted(epoch));
}
