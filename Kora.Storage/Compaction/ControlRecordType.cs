namespace Kora.Storage.Compaction;

/// <summary>The type in a control record's key (version int16, type int16).</summary>
internal enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
    /// <summary>A type this broker does not know (leader change, snapshot markers...): kept.</summary>
    Unknown = -1,

    /// <summary>The batch has no record left: an earlier cleaning emptied it.</summary>
    None = -2,
}
