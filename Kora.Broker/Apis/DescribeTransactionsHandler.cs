using Kora.Broker.Tenancy;
using Kora.Broker.Transactions;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>DescribeTransactions v0: state, producer, timeout, start time and partitions of each transactional id.</summary>
public sealed class DescribeTransactionsHandler(TransactionCoordinator transactions, IResourceNames names)
    : ApiHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>
{
    public override short ApiKey => DescribeTransactionsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => DescribeTransactionsRequest.LowestFlexibleVersion;

    protected override ValueTask<DescribeTransactionsResponse?> HandleAsync(RequestContext context, DescribeTransactionsRequest request)
    {
        var response = new DescribeTransactionsResponse();
        foreach (var requested in request.TransactionalIds)
        {
            var id = requested.Length == 0 ? "" : names.ToInternal(context.Connection, ResourceKind.TransactionalId, requested);
            var d = transactions.Describe(id);
            var state = new DescribeTransactionsResponse.TransactionStateData
            {
                ErrorCode = (short)d.Error,
                TransactionalId = requested,
            };
            if (d.Error == ErrorCode.None)
            {
                state.TransactionState = TransactionStates.Name(d.State);
                state.TransactionTimeoutMs = d.TimeoutMs;
                state.TransactionStartTimeMs = d.StartTimestampMs;
                state.ProducerId = d.ProducerId;
                state.ProducerEpoch = d.ProducerEpoch;
                foreach (var topic in d.Partitions.GroupBy(p => p.Topic, StringComparer.Ordinal))
                {
                    if (names.ToExternal(context.Connection, ResourceKind.Topic, topic.Key) is { } external)
                    {
                        state.Topics.Add(new DescribeTransactionsResponse.TopicData { Topic = external, Partitions = [.. topic.Select(p => p.Partition)] });
                    }
                }
            }
            response.TransactionStates.Add(state);
        }
        return ValueTask.FromResult<DescribeTransactionsResponse?>(response);
    }
}
