using System.Text.Json;
using Kora.Raft.Storage;

namespace Kora.Raft.Quorum;

/// <summary>
/// The <c>quorum-state</c> file, in the JSON shape of Kafka's FileQuorumStateStore, replaced
/// atomically (temp file, fsync, rename, directory fsync) so a crash leaves the old or the new state.
/// </summary>
public sealed class FileQuorumStateStore(IRaftFileSystem fs, string path) : IQuorumStateStore
{
    public const string FileName = "quorum-state";

    public ElectionState? Read()
    {
        if (!fs.Exists(path))
        {
            return null;
        }
        var bytes = new byte[fs.Length(path)];
        var read = fs.Read(path, 0, bytes);
        QuorumStateData? data;
        try
        {
            data = JsonSerializer.Deserialize(bytes.AsSpan(0, read), QuorumStateJson.Default.QuorumStateData);
        }
        catch (JsonException e)
        {
            // Voting again without knowing the vote already cast could elect two leaders in one epoch.
            throw new InvalidDataException($"The quorum state file {path} is unreadable; refusing to start.", e);
        }
        if (data is null || data.LeaderEpoch < 0)
        {
            throw new InvalidDataException($"The quorum state file {path} holds no valid state; refusing to start.");
        }
        return new ElectionState(data.LeaderEpoch, data.LeaderId, data.VotedId);
    }

    public void Write(ElectionState state)
    {
        var data = new QuorumStateData
        {
            LeaderEpoch = state.Epoch,
            LeaderId = state.LeaderId,
            VotedId = state.VotedId,
        };
        fs.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(data, QuorumStateJson.Default.QuorumStateData));
    }
}
