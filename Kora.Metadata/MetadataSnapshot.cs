using Kora.Raft.Log;

namespace Kora.Metadata;

/// <summary>
/// The content of a metadata snapshot: the records that rebuild the image (<see cref="MetadataImageRecords"/>)
/// in one Kafka record batch, each value framed as in the metadata log.
/// </summary>
public static class MetadataSnapshot
{
    public static byte[] Write(MetadataImage image, int epoch, long timestamp)
    {
        var values = MetadataImageRecords.From(image).Select(r => (ReadOnlyMemory<byte>)MetadataRecordSerde.Serialize(r)).ToList();
        return values.Count == 0 ? [] : RaftBatches.BuildData(0, epoch, timestamp, values);
    }

    /// <summary>The image the snapshot describes, as of <paramref name="offset"/> (the last offset it covers).</summary>
    public static MetadataImage Read(ReadOnlyMemory<byte> content, long offset)
    {
        var image = MetadataImage.Empty;
        if (!content.IsEmpty)
        {
            foreach (var value in RaftBatches.ReadValues(content))
            {
                image = MetadataImageBuilder.Apply(image, MetadataRecordSerde.Deserialize(value), offset);
            }
        }
        return image with { Offset = offset };
    }
}
