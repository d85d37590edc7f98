using System.Collections.Immutable;

namespace Kora.Metadata;

/// <summary>A topic in the metadata image; <see cref="Configs"/> holds only the overrides set on it.</summary>
public sealed record TopicImage(string Name, Guid Id, ImmutableArray<PartitionImage> Partitions, ImmutableDictionary<string, string> Configs)
{
    public bool IsInternal => Name.StartsWith("__", StringComparison.Ordinal);
}
