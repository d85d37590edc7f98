using Kora.Broker.Tenancy;
using Kora.Broker.Transactions;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>ListTransactions v0-1: transactions filtered by state names, producer ids and (v1) minimum running time.</summary>
public sealed class ListTransactionsHandler(TransactionCoordinator transactions, IResourceNames names) : ApiHandler<ListTransactionsRequest, ListTransactionsResponse>
{
    public override short ApiKey => ListTransactionsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => ListTransactionsRequest.LowestFlexibleVersion;

    protected override ValueTask<ListTransactionsResponse?> HandleAsync(RequestContext context, ListTransactionsRequest request)
    {
        var duration = context.Version >= 1 ? request.DurationFilter : -1;
        var (unknown, listed) = transactions.List(request.StateFilters, request.ProducerIdFilters, duration);
        var response = new ListTransactionsResponse { UnknownStateFilters = unknown };
        foreach (var t in listed)
        {
            if (names.ToExternal(context.Connection, ResourceKind.TransactionalId, t.TransactionalId) is { } external)
            {
                response.TransactionStates.Add(new ListTransactionsResponse.TransactionStateData
                {
                    TransactionalId = external,
                    ProducerId = t.ProducerId,
                    TransactionState = TransactionStates.Name(t.State),
                });
            }
        }
        return ValueTask.FromResult<ListTransactionsResponse?>(response);
    }

    protected override void SetError(ListTransactionsResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
