using Kora.Protocol.Primitives;

namespace Kora.Metadata;

/// <summary>What a metadata change decided: the records to commit (possibly none) and the answer to give.</summary>
public readonly record struct MetadataDecision<T>(IReadOnlyList<IKafkaMessage> Records, T Result);
