using System.Text.Json.Serialization;

namespace Kora.Raft.Quorum;

[JsonSerializable(typeof(QuorumStateData))]
internal sealed partial class QuorumStateJson : JsonSerializerContext;
