namespace Kora.Storage.Compaction;

/// <summary>The broker-wide cleaner settings (log.cleaner.*); per-topic settings come from each log's config.</summary>
public sealed record LogCleanerOptions
{
    /// <summary>log.cleaner.threads.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>log.cleaner.backoff.ms: the pause after a pass that found nothing to clean.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>log.cleaner.dedupe.buffer.size, shared by the threads.</summary>
    public long DedupeBufferSize { get; init; } = 128L * 1024 * 1024;

    /// <summary>log.cleaner.io.buffer.load.factor.</summary>
    public double DedupeBufferLoadFactor { get; init; } = 0.9;

    /// <summary>The read buffer of a cleaner thread; a larger batch grows it.</summary>
    public int IoBufferSize { get; init; } = 512 * 1024;

    /// <summary>log.cleaner.io.max.bytes.per.second, shared by the threads.</summary>
    public double MaxIoBytesPerSecond { get; init; } = double.MaxValue;
}
