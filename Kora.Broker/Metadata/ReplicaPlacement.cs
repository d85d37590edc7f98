namespace Kora.Broker.Metadata;

/// <summary>
/// Kafka's round-robin replica placement: partition p's leader is broker (start + p) mod n, followers
/// follow in order, so leaders and replicas spread evenly. Rack awareness arrives with the controller.
/// </summary>
public static class ReplicaPlacement
{
    public static List<int[]> Assign(int[] brokers, int partitions, int replicationFactor, int startIndex)
    {
        var result = new List<int[]>(partitions);
        for (var p = 0; p < partitions; p++)
        {
            var replicas = new int[replicationFactor];
            for (var r = 0; r < replicationFactor; r++)
            {
                replicas[r] = brokers[(startIndex + p + r) % brokers.Length];
            }
            result.Add(replicas);
        }
        return result;
    }
}
