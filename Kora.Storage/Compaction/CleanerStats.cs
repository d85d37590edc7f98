namespace Kora.Storage.Compaction;

/// <summary>The outcome of cleaning one log, for logs and metrics.</summary>
public sealed class CleanerStats
{
    public required string Topic { get; init; }
    public required int Partition { get; init; }

    /// <summary>Bytes of the segments rewritten (Kafka's "bytes cleaned").</summary>
    public long BytesRead { get; set; }

    public long BytesWritten { get; set; }

    public long RecordsRead { get; set; }

    public long RecordsRetained { get; set; }

    public long RecordsRemoved => RecordsRead - RecordsRetained;

    /// <summary>Records without a key, which a compacted log cannot keep.</summary>
    public long InvalidRecords { get; set; }

    /// <summary>Bytes of the dirty section read to build the offset map.</summary>
    public long MapBytesRead { get; set; }

    public long MapRecordsRead { get; set; }

    public int SegmentsCleaned { get; set; }

    public double BufferUtilization { get; set; }

    /// <summary>The offset up to which the log is now clean.</summary>
    public long EndOffset { get; set; }

    /// <summary>The earliest delete horizon of a tombstone or marker still kept; -1 when none is.</summary>
    public long EarliestDeleteHorizonMs { get; set; } = -1;

    public TimeSpan Elapsed { get; set; }

    internal void KeepHorizon(long horizonMs)
    {
        if (horizonMs >= 0 && (EarliestDeleteHorizonMs < 0 || horizonMs < EarliestDeleteHorizonMs))
        {
            EarliestDeleteHorizonMs = horizonMs;
        }
    }
}
