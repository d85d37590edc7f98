namespace Kora.Storage.Tests.Descriptors;

/// <summary>Tests that count this process's open descriptors run alone, so other tests' files do not blur the count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NoParallelCollection
{
    public const string Name = "descriptor counting";
}
