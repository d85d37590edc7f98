namespace Kora.Broker.Replication;

/// <summary>What applying one partition of a leader's fetch answer did to the follower's log.</summary>
internal enum FollowerFetchOutcome
{
    /// <summary>Records (if any) appended, high watermark and log start taken from the leader.</summary>
    Applied,

    /// <summary>The log was truncated (diverging epoch or out of range); the next fetch starts from its new end.</summary>
    Truncated,

    /// <summary>The fetched batches could not be appended; the partition backs off.</summary>
    AppendFailed,

    /// <summary>The leader refused the partition (not leader, fenced or unknown epoch); the next image says whom to follow.</summary>
    Refused,
}
