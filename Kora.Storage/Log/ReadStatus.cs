namespace Kora.Storage.Log;

public enum ReadStatus
{
    Ok,

    /// <summary>The fetch offset is below the log start offset or above the log end offset.</summary>
    OffsetOutOfRange,
}
