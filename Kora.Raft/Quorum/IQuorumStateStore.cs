namespace Kora.Raft.Quorum;

/// <summary>Durable storage of the <see cref="ElectionState"/>. <see cref="Write"/> returns only once the state is fsynced.</summary>
public interface IQuorumStateStore
{
    ElectionState? Read();

    void Write(ElectionState state);
}
