using Kora.Controller.Quorum;
using Kora.Metadata;

namespace Kora.Controller;

/// <summary>The committed metadata image of this controller as JSON, for tests and operators (<c>GET /debug/metadata</c>).</summary>
public static class MetadataView
{
    public static object Of(QuorumController controller)
    {
        var image = controller.Image;
        return new
        {
            leaderId = controller.LeaderId,
            epoch = controller.Epoch,
            offset = image.Offset,
            snapshot = controller.LastSnapshot?.Offset,
            nextProducerId = image.NextProducerId,
            brokers = image.Brokers.Values.OrderBy(b => b.Id).Select(b => new
            {
                id = b.Id,
                epoch = b.Epoch,
                host = b.Host,
                port = b.Port,
                rack = b.Rack,
                cell = image.CellOf(b.Id),
                fenced = b.Fenced,
                inControlledShutdown = b.InControlledShutdown,
            }),
            topics = image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new
            {
                name = t.Name,
                id = t.Id,
                configs = t.Configs,
                partitions = t.Partitions.Select(p => new
                {
                    index = p.Index, leader = p.Leader, leaderEpoch = p.LeaderEpoch, partitionEpoch = p.PartitionEpoch, replicas = p.Replicas, isr = p.Isr,
                    addingReplicas = p.AddingReplicas, removingReplicas = p.RemovingReplicas, leaderRecoveryState = p.LeaderRecoveryState.ToString(),
                }),
            }),
        };
    }

    public static IReadOnlyCollection<TopicImage> Topics(MetadataImage image) => image.TopicsByName.Values.ToList();
}
