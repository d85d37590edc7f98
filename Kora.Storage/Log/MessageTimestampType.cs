namespace Kora.Storage.Log;

/// <summary>Which timestamp the log keeps: the producer's, or the broker's at append (message.timestamp.type).</summary>
public enum MessageTimestampType
{
    CreateTime,
    LogAppendTime,
}
