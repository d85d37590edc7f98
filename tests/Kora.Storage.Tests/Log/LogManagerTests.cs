using Kora.Storage.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Storage.Tests.Log;

public sealed class LogManagerTests : LogTestBase
{
    private LogManager NewManager() => new(Path.Combine(Root, "data"), Time, NullLogger.Instance);

    [Fact]
    public void GetOrCreate_CreatesOneLogPerPartition()
    {
        var manager = NewManager();

        var log = manager.GetOrCreate("orders", 2, LogConfig.Default);

        Assert.Same(log, manager.GetOrCreate("orders", 2, LogConfig.Default));
        Assert.Same(log, manager.Get("orders", 2));
        Assert.Null(manager.Get("orders", 3));
        Assert.True(Directory.Exists(Path.Combine(manager.DataDirectory, "orders-2")));
        Assert.Throws<ArgumentException>(() => manager.GetOrCreate("../escape", 0, LogConfig.Default));
        manager.CloseAll();
    }

    [Fact]
    public void LoadAll_ReopensPartitionsOfTopicsWithDashes()
    {
        var manager = NewManager();
        manager.GetOrCreate("my-dashed-topic", 11, LogConfig.Default).Append(TestBatch.Create(records: 3), 0, 0);
        manager.GetOrCreate("plain", 0, LogConfig.Default).Append(TestBatch.Create(records: 1), 0, 0);
        manager.CloseAll();
        Directory.CreateDirectory(Path.Combine(manager.DataDirectory, "not_a_partition"));

        var reloaded = NewManager();
        var topics = new List<string>();
        var opened = reloaded.LoadAll(topic =>
        {
            topics.Add(topic);
            return LogConfig.Default;
        });

        Assert.Equal(2, opened);
        Assert.Equal(["my-dashed-topic", "plain"], topics.Order());
        Assert.Equal(3, reloaded.Get("my-dashed-topic", 11)!.LogEndOffset);
        Assert.Equal(1, reloaded.Get("plain", 0)!.LogEndOffset);
        Assert.Equal(2, reloaded.SegmentCount);
        reloaded.CloseAll();
    }

    [Fact]
    public void Delete_RemovesTheDirectory()
    {
        var manager = NewManager();
        manager.GetOrCreate("gone", 0, LogConfig.Default).Append(TestBatch.Create(), 0, 0);

        Assert.True(manager.Delete("gone", 0));

        Assert.False(Directory.Exists(Path.Combine(manager.DataDirectory, "gone-0")));
        Assert.Null(manager.Get("gone", 0));
        Assert.False(manager.Delete("gone", 0));
        manager.CloseAll();
    }

    [Fact]
    public async Task RunMaintenance_AppliesRetentionAndAttachesFlushObserver()
    {
        var manager = NewManager();
        var flushes = 0;
        manager.FlushObserver = _ => Interlocked.Increment(ref flushes);
        var log = manager.GetOrCreate("retained", 0, new LogConfig { SegmentBytes = 1, RetentionMs = 1_000 });
        log.Append(TestBatch.Create(timestamp: 1_000), 0, 0);
        log.Append(TestBatch.Create(timestamp: 5_000), 0, 0);
        log.UpdateHighWatermark(log.LogEndOffset);
        await log.FlushAsync(1).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        manager.RunMaintenance(5_500);

        Assert.Equal(1, log.LogStartOffset);
        Assert.True(Volatile.Read(ref flushes) > 0);
        manager.CloseAll();
    }

    [Theory]
    [InlineData("a-b-c-12", "a-b-c", 12)]
    [InlineData("t-0", "t", 0)]
    public void TryParseDirectoryName_SplitsOnLastDash(string name, string topic, int partition)
    {
        Assert.True(LogManager.TryParseDirectoryName(name, out var parsedTopic, out var parsedPartition));
        Assert.Equal((topic, partition), (parsedTopic, parsedPartition));
    }

    [Theory]
    [InlineData("nodash")]
    [InlineData("-1")]
    [InlineData("t-x")]
    public void TryParseDirectoryName_RejectsOtherFolders(string name) =>
        Assert.False(LogManager.TryParseDirectoryName(name, out _, out _));
}
