namespace Kora.Storage.Producers;

/// <summary>Who wrote an append, which decides how much of the producer state machine checks it (Kafka's AppendOrigin).</summary>
public enum AppendOrigin
{
    /// <summary>A client's produce: duplicates, sequences, epochs and transaction state are all checked.</summary>
    Client,

    /// <summary>The broker's own writes (transaction markers, group records): epochs are checked, sequences are not.</summary>
    Coordinator,

    /// <summary>Data already accepted once (recovery replay): applied without checks.</summary>
    Replication,
}
