using System.Globalization;

namespace Kora.Bench.Results;

/// <summary>One producer throughput configuration.</summary>
/// <param name="Acks">1 (leader) or -1 (all in-sync replicas; Kora fsyncs before answering).</param>
internal sealed record ProduceScenario(int MessageSize, int Partitions, int Acks)
{
    public static IReadOnlyList<ProduceScenario> All { get; } =
    [
        .. from size in new[] { 100, 1024 }
           from partitions in new[] { 1, 12 }
           from acks in new[] { 1, -1 }
           select new ProduceScenario(size, partitions, acks),
    ];

    public string Topic => string.Create(CultureInfo.InvariantCulture,
        $"bench-produce-{MessageSize}b-{Partitions}p-acks{(Acks < 0 ? "all" : Acks.ToString(CultureInfo.InvariantCulture))}");

    public string SizeLabel => MessageSize % 1024 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{MessageSize / 1024} KiB")
        : string.Create(CultureInfo.InvariantCulture, $"{MessageSize} B");

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{SizeLabel}, {Partitions} partition(s), acks={Acks}");
}
