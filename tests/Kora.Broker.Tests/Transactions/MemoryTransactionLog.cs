using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

/// <summary>An in-memory transaction log: records in order, an optional failure, and an optional gate that holds appends.</summary>
internal sealed class MemoryTransactionLog : ITransactionLog
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _gate;

    public List<(string Id, byte[] Key, byte[]? Value)> Records { get; } = [];
    public bool IsReady { get; set; } = true;
    public ErrorCode FailWith { get; set; } = ErrorCode.None;

    public HashSet<string> Loading { get; } = [];

    public bool IsLoading(string transactionalId) => Loading.Contains(transactionalId);

    public int CoordinatorEpoch(string transactionalId) => 3;

    /// <summary>Holds every following append until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    public async ValueTask<ErrorCode> AppendAsync(string transactionalId, byte[] key, byte[]? value, CancellationToken cancellationToken)
    {
        if (_gate is { } gate)
        {
            await gate.Task.ConfigureAwait(false);
        }
        if (FailWith != ErrorCode.None)
        {
            return FailWith;
        }
        lock (_lock)
        {
            Records.Add((transactionalId, key, value));
        }
        return ErrorCode.None;
    }

    public List<TxnTransit> ValuesOf(string transactionalId)
    {
        lock (_lock)
        {
            return [.. Records.Where(r => r.Id == transactionalId && r.Value is not null).Select(r => TransactionLogCodec.ReadValue(r.Value!))];
        }
    }
}
