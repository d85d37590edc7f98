namespace Kora.Protocol.Records;

/// <summary>The type in a control record's key. Kafka reserves the other values.</summary>
public enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
}
