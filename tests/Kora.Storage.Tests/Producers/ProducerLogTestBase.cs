using Kora.Storage.Log;
using Kora.Storage.Tests.Log;

namespace Kora.Storage.Tests.Producers;

/// <summary>Log tests whose batches carry producer ids, timestamped by the manual clock so they do not look expired.</summary>
public abstract class ProducerLogTestBase : LogTestBase
{
    protected AppendResult Produce(PartitionLog log, long producerId, short epoch, int sequence, int records = 1, bool transactional = false)
    {
        var result = log.Append(IdempotentBatch.Create(producerId, epoch, sequence, records, transactional, Time.NowMs), Time.NowMs, leaderEpoch: 0);
        log.UpdateHighWatermark(log.LogEndOffset);
        return result;
    }

    protected static AppendResult Marker(PartitionLog log, long producerId, short epoch, bool commit, int coordinatorEpoch = 0)
    {
        var result = log.AppendEndTxnMarker(producerId, epoch, coordinatorEpoch, commit, leaderEpoch: 0);
        log.UpdateHighWatermark(log.LogEndOffset);
        return result;
    }

    protected string SnapshotFile(long offset) => Path.Combine(Dir, $"{offset:D20}.snapshot");

    protected static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
