namespace Kora.Bench.Results;

/// <summary>Memory of a fresh broker hosting many partitions, each with a few messages.</summary>
internal sealed record PartitionMemoryResult(
    int Topics, int PartitionsPerTopic, int MessagesPerPartition, long RssBytes, long PeakRssBytes, string? Error)
{
    public int Partitions => Topics * PartitionsPerTopic;
}
