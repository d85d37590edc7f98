namespace Kora.Broker.Groups.Consumer.Assignors;

/// <summary>The assignors a broker offers, as group.consumer.assignors lists them: the first one is the default.</summary>
public static class AssignorNames
{
    public const string Uniform = "uniform";
    public const string Range = "range";

    public static IReadOnlyList<IConsumerGroupAssignor> All { get; } = [new UniformAssignor(), new RangeAssignor()];

    public static IConsumerGroupAssignor? Find(string name) => All.FirstOrDefault(a => a.Name == name);

    public static IConsumerGroupAssignor Default => All[0];
}
