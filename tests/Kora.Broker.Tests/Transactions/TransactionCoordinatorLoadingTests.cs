using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

/// <summary>While its <c>__transaction_state</c> partition loads, a transactional id gets COORDINATOR_LOAD_IN_PROGRESS, as in Kafka.</summary>
public class TransactionCoordinatorLoadingTests
{
    private static readonly TopicPartitionKey P0 = new("out", 0);

    [Fact]
    public async Task EveryRequestForALoadingId_IsAskedToRetry_AndNothingIsWritten()
    {
        using var h = new CoordinatorHarness();
        var started = await h.InitAsync();
        var written = h.Log.Records.Count;
        h.Log.Loading.Add("t");

        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await h.InitAsync()).Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, await h.Coordinator.AddPartitionsAsync("t", started.ProducerId, started.ProducerEpoch, [P0]));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress,
            h.Coordinator.VerifyPartitions("t", started.ProducerId, started.ProducerEpoch, [P0], ErrorCode.InvalidTxnState).Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, await h.Coordinator.EndTransactionAsync("t", started.ProducerId, started.ProducerEpoch, commit: true));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, h.Coordinator.Describe("t").Error);
        Assert.Equal(written, h.Log.Records.Count);

        // Other partitions' ids are served meanwhile, and this one once its load ends.
        Assert.Equal(ErrorCode.None, (await h.InitAsync("other")).Error);
        h.Log.Loading.Clear();
        Assert.Equal(ErrorCode.None, await h.Coordinator.AddPartitionsAsync("t", started.ProducerId, started.ProducerEpoch, [P0]));
    }
}
