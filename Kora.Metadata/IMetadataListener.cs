namespace Kora.Metadata;

/// <summary>Told about every new image, in order, after it becomes current.</summary>
public interface IMetadataListener
{
    void OnImageChanged(MetadataImage previous, MetadataImage current);
}
