namespace Kora.Metadata;

/// <summary>A topic to create, as a CreateTopics request or auto-creation describes it (-1 means the broker default).</summary>
public sealed record TopicSpec(
    string Name,
    int NumPartitions,
    short ReplicationFactor,
    IReadOnlyDictionary<int, int[]>? Assignments,
    IReadOnlyList<KeyValuePair<string, string?>> Configs);
