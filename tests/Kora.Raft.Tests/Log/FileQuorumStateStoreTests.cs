using Kora.Raft.Quorum;
using Kora.Raft.Tests.Simulation;

namespace Kora.Raft.Tests.Log;

public sealed class FileQuorumStateStoreTests
{
    [Fact]
    public void StateRoundTripsInKafkasJsonShape()
    {
        var fs = new SimulatedFileSystem();
        var store = new FileQuorumStateStore(fs, "/d/quorum-state");
        Assert.Null(store.Read());
        store.Write(new ElectionState(7, 2, 3));
        Assert.Equal(new ElectionState(7, 2, 3), store.Read());
        var bytes = new byte[fs.Length("/d/quorum-state")];
        fs.Read("/d/quorum-state", 0, bytes);
        var json = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"leaderEpoch\":7", json);
        Assert.Contains("\"votedId\":3", json);
        // Atomic replacement: a crash right after a write keeps it.
        fs.Crash(new Random(1), allowTornWrites: true);
        Assert.Equal(new ElectionState(7, 2, 3), store.Read());
    }

    [Fact]
    public void UnreadableStateRefusesToStart()
    {
        var fs = new SimulatedFileSystem();
        fs.WriteAtomically("/d/quorum-state", "{\"leaderEpoch\":"u8);
        Assert.Throws<InvalidDataException>(() => new FileQuorumStateStore(fs, "/d/quorum-state").Read());
    }
}
