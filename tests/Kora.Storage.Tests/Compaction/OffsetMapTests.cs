using System.Text;
using Kora.Storage.Compaction;

namespace Kora.Storage.Tests.Compaction;

public sealed class OffsetMapTests
{
    private static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    [Fact]
    public void Put_KeepsTheLatestOffsetPerKey()
    {
        var map = new OffsetMap(24 * 1000);

        map.Put(Key("a"), 1);
        map.Put(Key("b"), 2);
        map.Put(Key("a"), 7);

        Assert.Equal(7, map.Get(Key("a")));
        Assert.Equal(2, map.Get(Key("b")));
        Assert.Equal(-1, map.Get(Key("c")));
        Assert.Equal(2, map.Size);
        Assert.Equal(7, map.LatestOffset);
    }

    [Fact]
    public void OffsetZero_IsDistinctFromAnEmptySlot()
    {
        var map = new OffsetMap(24 * 10);

        map.Put(Key("zero"), 0);

        Assert.Equal(0, map.Get(Key("zero")));
        Assert.Equal(1, map.Size);
    }

    [Fact]
    public void ManyKeys_NearlyFull_AllFound()
    {
        var map = new OffsetMap(24 * 1000);
        Assert.Equal(1000, map.Slots);

        for (var i = 0; i < 900; i++)
        {
            map.Put(Key($"key-{i}"), i * 10L);
        }

        for (var i = 0; i < 900; i++)
        {
            Assert.Equal(i * 10L, map.Get(Key($"key-{i}")));
        }
        Assert.Equal(900, map.Size);
        Assert.Equal(0.9, map.Utilization, 3);
    }

    [Fact]
    public void Full_ThrowsRatherThanLosingAKey()
    {
        var map = new OffsetMap(24 * 2);
        map.Put(Key("a"), 1);
        map.Put(Key("b"), 2);

        Assert.Throws<InvalidOperationException>(() => map.Put(Key("c"), 3));
        map.Put(Key("a"), 5);
        Assert.Equal(5, map.Get(Key("a")));
    }

    [Fact]
    public void Clear_ForgetsKeysAndLatestOffset()
    {
        var map = new OffsetMap(24 * 100);
        map.Put(Key("a"), 42);
        map.UpdateLatestOffset(99);

        map.Clear();

        Assert.Equal(-1, map.Get(Key("a")));
        Assert.Equal(0, map.Size);
        Assert.Equal(-1, map.LatestOffset);
    }
}
