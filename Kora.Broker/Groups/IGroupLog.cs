using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>Where the coordinator writes its records (key, value; a null value is a tombstone), per group.</summary>
public interface IGroupLog
{
    void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records);

    /// <summary>
    /// Writes records as one transactional batch of the producer, to count only once its transaction's COMMIT
    /// marker follows on the same partition. Returns the error that kept them out.
    /// </summary>
    ErrorCode AppendTransactional(string groupId, long producerId, short producerEpoch, IReadOnlyList<(byte[] Key, byte[]? Value)> records);
}
