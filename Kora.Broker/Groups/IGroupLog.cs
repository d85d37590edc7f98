namespace Kora.Broker.Groups;

/// <summary>Where the coordinator writes its records (key, value; a null value is a tombstone), per group.</summary>
public interface IGroupLog
{
    void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records);
}
