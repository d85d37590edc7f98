using Kora.Protocol.Records;
using Kora.Storage.Compaction;
using Kora.Storage.Log;

namespace Kora.Storage.Tests.Compaction;

public sealed class LogCleanerTests : CompactionTestBase
{
    private static IEnumerable<byte[]> Updates(int keys, int rounds, CompressionCodec codec = CompressionCodec.None)
    {
        for (var round = 0; round < rounds; round++)
        {
            yield return KeyedBatch.Create(Enumerable.Range(0, keys).Select(k => ($"k{k}", (string?)$"v{round}-{k}")), codec: codec);
        }
    }

    [Fact]
    public void Clean_KeepsTheLastValuePerKey_AtItsOriginalOffset()
    {
        var log = Open(Compacted);
        AppendAll(log, Updates(keys: 10, rounds: 20));
        var before = Records(log);
        Roll(log);
        Assert.True(log.SegmentCount > 3);
        using var cleaner = Cleaner(log);

        var stats = cleaner.CleanFilthiestLog();

        Assert.NotNull(stats);
        Assert.Equal(190, stats.RecordsRemoved);
        var after = Records(log).Where(r => r.Key != "filler").ToList();
        var expected = before.GroupBy(r => r.Key).Select(g => g.Last()).OrderBy(r => r.Offset).ToList();
        Assert.Equal(expected, after);
        Assert.Equal(log.LogEndOffset - 1, Records(log)[^1].Offset);
        Assert.Equal(stats.EndOffset, cleaner.CleanOffset("topic", 0));
        Assert.Null(cleaner.CleanFilthiestLog());
    }

    [Fact]
    public void Clean_MergesSmallSegments_AndSurvivesAReopen()
    {
        var log = Open(Compacted);
        AppendAll(log, Updates(keys: 5, rounds: 30));
        Roll(log);
        var segmentsBefore = log.SegmentCount;
        // Groups are formed from the sizes before cleaning: with room for all of them, one segment results.
        log.UpdateConfig(Compacted with { SegmentBytes = 1 << 20 });
        using (var cleaner = Cleaner(log))
        {
            Assert.NotNull(cleaner.CleanFilthiestLog());
        }
        var cleaned = Records(log);
        Assert.True(segmentsBefore > 3);
        Assert.Equal(2, log.SegmentCount);
        log.Close();

        var reopened = Open(Compacted);

        Assert.Equal(cleaned, Records(reopened));
        Assert.Equal(log.LogEndOffset, reopened.LogEndOffset);
        Assert.DoesNotContain(Directory.EnumerateFiles(Dir), f => f.EndsWith(".cleaned", StringComparison.Ordinal) || f.EndsWith(".swap", StringComparison.Ordinal));
        var next = reopened.Append(KeyedBatch.Create([("k0", "after")]), 0, 5);
        Assert.Equal(log.LogEndOffset, next.BaseOffset);
    }

    [Fact]
    public void Clean_NeverTouchesTheActiveSegment()
    {
        var log = Open(Compacted with { SegmentBytes = 1 << 20 });
        AppendAll(log, Updates(keys: 3, rounds: 10));
        using var cleaner = Cleaner(log);

        Assert.Null(cleaner.CleanFilthiestLog());
        Assert.Equal(30, Records(log).Count);
    }

    [Fact]
    public void Clean_BelowTheDirtyRatio_Waits()
    {
        var log = Open(Compacted with { MinCleanableDirtyRatio = 0.99 });
        AppendAll(log, Updates(keys: 10, rounds: 4));
        Roll(log);
        using var cleaner = Cleaner(log);
        Assert.NotNull(cleaner.CleanFilthiestLog());
        AppendAll(log, [KeyedBatch.Create([("k1", "late")])]);
        Roll(log);

        Assert.Null(cleaner.CleanFilthiestLog());
    }

    [Fact]
    public void Clean_RespectsMinCompactionLag()
    {
        var log = Open(Compacted with { MinCompactionLagMs = 60_000 });
        AppendAll(log, Updates(keys: 4, rounds: 10));
        Roll(log);
        using var cleaner = Cleaner(log);
        var records = Records(log).Count;
        Time.Advance(1_000);

        Assert.Null(cleaner.CleanFilthiestLog());
        Assert.Equal(records, Records(log).Count);

        Time.Advance(120_000);
        Assert.NotNull(cleaner.CleanFilthiestLog());
        Assert.True(Records(log).Count < records);
    }

    [Fact]
    public void Tombstones_StayUntilTheirDeleteHorizon_ThenGo()
    {
        var log = Open(Compacted);
        AppendAll(log, Updates(keys: 6, rounds: 5));
        AppendAll(log, [KeyedBatch.Create([("k1", null), ("k2", null)])]);
        Roll(log);
        using var cleaner = Cleaner(log);

        Assert.NotNull(cleaner.CleanFilthiestLog());

        var first = Records(log).Where(r => r.Key != "filler").ToList();
        Assert.Equal(["k0", "k3", "k4", "k5", "k1", "k2"], first.Select(r => r.Key));
        Assert.Null(first.Single(r => r.Key == "k1").Value);
        var tombstoneBatch = Headers(log).First(b => b.HasDeleteHorizon);
        Assert.Equal(Time.NowMs + Compacted.DeleteRetentionMs, tombstoneBatch.DeleteHorizonMs);
        // The record timestamps survive the new base timestamp.
        Assert.Equal(1_700_000_000_000, first.Single(r => r.Key == "k1").Timestamp);
        Assert.Null(cleaner.CleanFilthiestLog());

        Time.Advance(Compacted.DeleteRetentionMs + 1);
        Assert.NotNull(cleaner.CleanFilthiestLog());

        Assert.Equal(["k0", "k3", "k4", "k5"], Records(log).Where(r => r.Key != "filler").Select(r => r.Key));
    }

    [Theory]
    [InlineData(CompressionCodec.Gzip)]
    [InlineData(CompressionCodec.Snappy)]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.Zstd)]
    public void CompressedBatches_AreRecompressedWithTheirCodec(CompressionCodec codec)
    {
        var log = Open(Compacted);
        AppendAll(log, Updates(keys: 8, rounds: 6, codec));
        AppendAll(log, [KeyedBatch.Create([("k0", "x"), ("k1", "y"), ("k0", "z")], codec: codec)]);
        var before = Records(log);
        Roll(log);
        using var cleaner = Cleaner(log);

        Assert.NotNull(cleaner.CleanFilthiestLog());

        var expected = before.GroupBy(r => r.Key).Select(g => g.Last()).OrderBy(r => r.Offset).ToList();
        Assert.Equal(expected, Records(log).Where(r => r.Key != "filler").ToList());
        Assert.All(Headers(log)[..^1], batch =>
        {
            Assert.Equal(codec, batch.Compression);
            Assert.True(batch.IsCrcValid);
            Assert.Equal(5, batch.PartitionLeaderEpoch);
        });
        // The last batch lost k0=x but keeps its offsets: base offset and last offset delta are the original ones.
        var last = Headers(log)[^2];
        Assert.Equal(2, last.LastOffsetDelta);
        Assert.Equal(2, last.RecordsCount);
    }

    [Fact]
    public void KeylessRecords_AreRemoved()
    {
        var log = Open(Compacted);
        AppendAll(log, [TestBatchWithoutKey(), KeyedBatch.Create([("k", "v")])]);
        Roll(log);
        using var cleaner = Cleaner(log);

        var stats = cleaner.CleanFilthiestLog();

        Assert.NotNull(stats);
        Assert.Equal(2, stats.InvalidRecords);
        Assert.Equal(["k", "filler"], Records(log).Select(r => r.Key));
    }

    private static byte[] TestBatchWithoutKey() => Log.TestBatch.Create(records: 2);

    [Fact]
    public void IdempotentProducer_KeepsItsLastBatchHeader_WhenItsRecordsAreSuperseded()
    {
        var log = Open(Compacted);
        AppendAll(log, [KeyedBatch.Create([("k", "from-producer")], producerId: 42, epoch: 3, baseSequence: 17)]);
        AppendAll(log, [KeyedBatch.Create([("k", "newer")])]);
        Roll(log);
        using var cleaner = Cleaner(log);

        Assert.NotNull(cleaner.CleanFilthiestLog());

        var kept = Headers(log)[0];
        Assert.Equal(42, kept.ProducerId);
        Assert.Equal(3, kept.ProducerEpoch);
        Assert.Equal(17, kept.BaseSequence);
        Assert.Equal(0, kept.RecordsCount);
        Assert.Equal(0, kept.BaseOffset);
        Assert.True(kept.IsCrcValid);
        Assert.Equal(["newer", new string('f', 2000)], Records(log).Select(r => r.Value));
    }

    [Fact]
    public void AbortedTransactions_AreRemoved_CommittedKept_MarkersGoAfterTheirHorizon()
    {
        var log = Open(Compacted);
        AppendAll(log,
        [
            KeyedBatch.Create([("a", "aborted-1"), ("b", "aborted-2")], producerId: 7, epoch: 0, baseSequence: 0, transactional: true),
            KeyedBatch.Control(7, 0, commit: false),
            KeyedBatch.Create([("c", "committed")], producerId: 8, epoch: 0, baseSequence: 0, transactional: true),
            KeyedBatch.Control(8, 0, commit: true),
            KeyedBatch.Create([("c", "plain-newer")]),
            KeyedBatch.Create([("d", "tail")], producerId: 7, epoch: 1, baseSequence: 0),
            KeyedBatch.Create([("f", "later")], producerId: 8, epoch: 1, baseSequence: 0),
        ]);
        Roll(log);
        using var cleaner = Cleaner(log);

        Assert.NotNull(cleaner.CleanFilthiestLog());

        Assert.Equal(["plain-newer", "tail", "later"], Records(log).Where(r => r.Key != "filler").Select(r => r.Value));
        // This pass still saw the transactions' data, so the markers stay as they were.
        Assert.All(Headers(log).Where(b => b.IsControl), m => Assert.False(m.HasDeleteHorizon));

        AppendAll(log, [KeyedBatch.Create([("e", "more")])]);
        Roll(log);
        Assert.NotNull(cleaner.CleanFilthiestLog());
        var markers = Headers(log).Where(b => b.IsControl).ToList();
        // Now they guard no data: kept with a delete horizon until it passes.
        Assert.Equal(2, markers.Count);
        Assert.All(markers, m => Assert.True(m.HasDeleteHorizon));

        Time.Advance(Compacted.DeleteRetentionMs + 1);
        Assert.NotNull(cleaner.CleanFilthiestLog());

        Assert.DoesNotContain(Headers(log), b => b.IsControl && b.RecordsCount > 0);
        Assert.Equal(["plain-newer", "tail", "later", "more"], Records(log).Where(r => r.Key != "filler").Select(r => r.Value));
    }

    [Fact]
    public void OpenTransaction_BoundsTheCleaning()
    {
        var log = Open(Compacted);
        AppendAll(log, Updates(keys: 3, rounds: 3));
        AppendAll(log, [KeyedBatch.Create([("k0", "in-open-txn")], producerId: 9, epoch: 0, baseSequence: 0, transactional: true)]);
        Roll(log);
        AppendAll(log, Updates(keys: 3, rounds: 3));
        Roll(log);
        using var cleaner = Cleaner(log);

        var stats = cleaner.CleanFilthiestLog();

        Assert.NotNull(stats);
        Assert.Contains(Records(log), r => r.Value == "in-open-txn");
        Assert.True(stats.EndOffset <= 10, $"cleaned up to {stats.EndOffset}");
    }

    [Fact]
    public void ReadersOfReplacedSegments_KeepReading()
    {
        var log = Open(Compacted);
        AppendAll(log, Updates(keys: 4, rounds: 12));
        Roll(log);
        var fetched = log.Read(0, int.MaxValue, long.MaxValue, minOneMessage: true);
        var expected = Bytes(fetched.Records);
        using var cleaner = Cleaner(log);

        Assert.NotNull(cleaner.CleanFilthiestLog());

        Assert.Equal(expected, Bytes(fetched.Records));
        Assert.NotEqual(expected.Length, ReadAll(log).Length);
    }

    [Fact]
    public void Retention_CompactOnly_KeepsOldSegments_CompactDelete_DeletesThem()
    {
        var compactOnly = Open(Compacted with { RetentionMs = 1 });
        AppendAll(compactOnly, Updates(keys: 2, rounds: 10));
        Roll(compactOnly);
        compactOnly.UpdateHighWatermark(compactOnly.LogEndOffset);
        Time.Advance(10_000);

        Assert.Equal(0, compactOnly.ApplyRetention(Time.NowMs));
        compactOnly.Close();

        Directory.Delete(Dir, recursive: true);
        var both = Open(Compacted with { RetentionMs = 1, Delete = true });
        AppendAll(both, Updates(keys: 2, rounds: 10));
        Roll(both);
        both.UpdateHighWatermark(both.LogEndOffset);
        Assert.True(both.ApplyRetention(Time.NowMs) > 0);
    }

    [Fact]
    public void TinyDedupeBuffer_CleansInSeveralPasses()
    {
        var log = Open(Compacted);
        AppendAll(log, Updates(keys: 40, rounds: 4));
        Roll(log);
        using var cleaner = Cleaner(log, dedupeBytes: 24 * 30);

        var passes = 0;
        while (cleaner.CleanFilthiestLog() is { } stats)
        {
            passes++;
            Assert.True(passes < 20);
        }

        Assert.True(passes > 1);
        var keys = Records(log).Where(r => r.Key != "filler").Select(r => r.Key).ToList();
        Assert.Equal(keys.Distinct().Count(), keys.Count);
        Assert.Equal(40, keys.Count);
    }

    [Fact]
    public void Checkpoint_IsReadByTheNextCleaner()
    {
        var log = Open(Compacted);
        AppendAll(log, Updates(keys: 5, rounds: 5));
        Roll(log);
        long end;
        using (var first = Cleaner(log))
        {
            end = first.CleanFilthiestLog()!.EndOffset;
        }

        using var second = Cleaner(log);

        Assert.Equal(end, second.CleanOffset("topic", 0));
        Assert.Contains($"topic 0 {end}", File.ReadAllText(Path.Combine(Root, "cleaner-offset-checkpoint")), StringComparison.Ordinal);
        Assert.Null(second.CleanFilthiestLog());
    }

    [Fact]
    public void CommitMarker_StaysWhileItsProducersLastBatchIsKept()
    {
        var log = Open(Compacted);
        AppendAll(log,
        [
            KeyedBatch.Create([("c", "committed")], producerId: 8, epoch: 0, baseSequence: 0, transactional: true),
            KeyedBatch.Control(8, 0, commit: true),
            KeyedBatch.Create([("c", "newer")]),
        ]);
        Roll(log);
        using var cleaner = Cleaner(log);
        Assert.NotNull(cleaner.CleanFilthiestLog());
        AppendAll(log, [KeyedBatch.Create([("e", "more")])]);
        Roll(log);
        Time.Advance(Compacted.DeleteRetentionMs + 1);
        Assert.NotNull(cleaner.CleanFilthiestLog());

        var headers = Headers(log);
        Assert.Equal(0, headers[0].RecordsCount);
        Assert.Equal(8, headers[0].ProducerId);
        Assert.True(headers[1].IsControl);
        Assert.Equal(1, headers[1].RecordsCount);
    }
}
