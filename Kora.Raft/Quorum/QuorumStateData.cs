using System.Text.Json.Serialization;

namespace Kora.Raft.Quorum;

/// <summary>The quorum-state file's fields, named as in Kafka's file.</summary>
public sealed class QuorumStateData
{
    [JsonPropertyName("leaderId")]
    public int LeaderId { get; set; } = -1;

    [JsonPropertyName("leaderEpoch")]
    public int LeaderEpoch { get; set; }

    [JsonPropertyName("votedId")]
    public int VotedId { get; set; } = -1;

    [JsonPropertyName("data_version")]
    public int DataVersion { get; set; }
}
