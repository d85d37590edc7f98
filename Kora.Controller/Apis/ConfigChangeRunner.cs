using Kora.Controller.Quorum;
using Kora.Controller.Raft;
using Kora.Metadata.Configs;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>What both config APIs share: shape checks and duplicate resources first, then one controller write for the rest.</summary>
internal static class ConfigChangeRunner
{
    public static async Task<List<(ErrorCode Error, string? Message)>> RunAsync(
        ControllerRaft raft, List<ConfigChange> changes, Func<ConfigChange, string?> checkShape, ITopicConfigDefaults defaults, bool validateOnly, CancellationToken aborted)
    {
        var duplicates = changes.GroupBy(c => (c.ResourceType, c.ResourceName)).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var outcomes = new (ErrorCode Error, string? Message)[changes.Count];
        var valid = new List<int>();
        for (var i = 0; i < changes.Count; i++)
        {
            if (duplicates.Contains((changes[i].ResourceType, changes[i].ResourceName)))
            {
                outcomes[i] = (ErrorCode.InvalidRequest, "Duplicate resource.");
            }
            else if (checkShape(changes[i]) is { } malformed)
            {
                outcomes[i] = (ErrorCode.InvalidRequest, malformed);
            }
            else
            {
                valid.Add(i);
            }
        }
        if (valid.Count > 0)
        {
            var (results, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.Write(image =>
                DecisionSequence.Decide(image, valid, (current, index) => changes[index].Decide(current, defaults, validateOnly))), 0, aborted).ConfigureAwait(false);
            for (var i = 0; i < valid.Count; i++)
            {
                outcomes[valid[i]] = results is null ? (error, null) : results[i];
            }
        }
        return [.. outcomes];
    }
}
