using Kora.Protocol.Primitives;

namespace Kora.Broker.Transactions;

/// <summary>Aborting transactions open past their timeout, and forgetting transactional ids idle past transactional.id.expiration.ms.</summary>
public sealed partial class TransactionCoordinator
{
    /// <summary>
    /// Aborts every ongoing transaction older than its timeout. The epoch is bumped first, as Kafka does, so the
    /// producer that left it open is fenced from the partitions by the abort markers. Returns how many were aborted.
    /// </summary>
    public async Task<int> AbortTimedOutTransactionsAsync()
    {
        var now = Now;
        var fenced = new List<(string Id, TxnTransit Transit)>();
        lock (_lock)
        {
            foreach (var m in _transactions.Values)
            {
                if (m.State == TransactionState.Ongoing && !m.PendingTransitionInProgress && m.StartTimestampMs + m.TimeoutMs < now)
                {
                    Log.TimingOut(logger, m.TransactionalId, m.ProducerId, m.TimeoutMs);
                    fenced.Add((m.TransactionalId, m.PrepareFenceProducerEpoch()));
                }
            }
        }
        var aborted = 0;
        foreach (var (id, transit) in fenced)
        {
            var error = await EndTransactionAsync(id, transit.ProducerId, transit.ProducerEpoch, commit: false, fromClient: false).ConfigureAwait(false);
            if (error == ErrorCode.None)
            {
                aborted++;
            }
            else
            {
                Log.TimeoutAbortFailed(logger, id, error);
                lock (_lock)
                {
                    // An abort refused before its write leaves the fence pending; release it so the next pass can retry.
                    if (_transactions.TryGetValue(id, out var m) && m.PendingState == TransactionState.PrepareEpochFence)
                    {
                        m.PendingState = null;
                    }
                }
            }
        }
        return aborted;
    }

    /// <summary>Writes a tombstone for, and forgets, every transactional id without a transaction idle past the expiration. Returns how many.</summary>
    public async Task<int> ExpireTransactionalIdsAsync()
    {
        var now = Now;
        var dying = new List<(TransactionMetadata Metadata, TxnTransit Transit)>();
        lock (_lock)
        {
            foreach (var m in _transactions.Values)
            {
                if (m.State is TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort
                    && !m.PendingTransitionInProgress
                    && m.LastUpdateTimestampMs + settings.TransactionalIdExpirationMs <= now)
                {
                    dying.Add((m, m.PrepareDead()));
                }
            }
        }
        var expired = 0;
        foreach (var (metadata, transit) in dying)
        {
            var id = metadata.TransactionalId;
            ErrorCode error;
            try
            {
                error = await log.AppendAsync(id, TransactionLogCodec.Key(id), null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                Log.AppendFailed(logger, id, e);
                error = ErrorCode.NotCoordinator;
            }
            lock (_lock)
            {
                if (error != ErrorCode.None)
                {
                    metadata.PendingState = null;
                    continue;
                }
                metadata.CompleteTransition(transit);
                if (_transactions.GetValueOrDefault(id) == metadata)
                {
                    _transactions.Remove(id);
                }
            }
            Log.Expired(logger, id);
            expired++;
        }
        return expired;
    }
}
