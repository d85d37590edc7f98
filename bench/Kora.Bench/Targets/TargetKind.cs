namespace Kora.Bench.Targets;

/// <summary>What a benchmark runs against.</summary>
internal enum TargetKind
{
    /// <summary>The Kora broker (Release build), one process with its own data directory.</summary>
    Kora,

    /// <summary>librdkafka's in-memory mock cluster with one broker: the "free" baseline.</summary>
    Mock,
}
