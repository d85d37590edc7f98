using System.Globalization;

namespace Kora.Bench.Kafka;

/// <summary>A topic a benchmark needs. Kora gets it through CreateTopics; the mock cluster on its command line.</summary>
internal sealed record TopicSpec(string Name, int Partitions)
{
    /// <summary>kora-mock-cluster's argument form, TOPIC:PARTITIONS.</summary>
    public string MockArgument => string.Create(CultureInfo.InvariantCulture, $"{Name}:{Partitions}");
}
