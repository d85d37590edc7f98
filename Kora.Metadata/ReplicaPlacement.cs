namespace Kora.Metadata;

/// <summary>
/// Kafka's replica assignment (AdminUtils.assignReplicasToBrokers). Without racks, partition p's leader
/// is broker (start + p) mod n and the followers are shifted by a per-round offset, so leaders and
/// replicas spread evenly. With racks, brokers are first interleaved rack by rack and each follower
/// goes to the next broker whose rack holds no replica of the partition yet, until every rack has one.
/// </summary>
public static class ReplicaPlacement
{
    /// <summary>Rack-unaware placement over broker ids (the standalone broker's case).</summary>
    public static List<int[]> Assign(int[] brokers, int partitions, int replicationFactor, int startIndex) =>
        Assign(brokers.Select(b => new PlacementBroker(b, null)).ToList(), partitions, replicationFactor, startIndex);

    /// <summary>
    /// Places <paramref name="partitions"/> partitions of <paramref name="replicationFactor"/> replicas.
    /// Rack-aware as soon as one broker has a rack (brokers without one share the empty rack).
    /// <paramref name="firstPartition"/> is the index of the first new partition, so added partitions
    /// continue the spread of the existing ones.
    /// </summary>
    public static List<int[]> Assign(IReadOnlyList<PlacementBroker> brokers, int partitions, int replicationFactor, int startIndex, int firstPartition = 0)
    {
        if (replicationFactor <= 0 || replicationFactor > brokers.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicationFactor, $"Cannot place {replicationFactor} replicas on {brokers.Count} brokers.");
        }
        var sorted = brokers.OrderBy(b => b.Id).ToList();
        return sorted.Any(b => b.Rack is not null)
            ? AssignRackAware(sorted, partitions, replicationFactor, startIndex, firstPartition)
            : AssignRackUnaware(sorted.Select(b => b.Id).ToArray(), partitions, replicationFactor, startIndex, firstPartition);
    }

    private static List<int[]> AssignRackUnaware(int[] brokers, int partitions, int replicationFactor, int startIndex, int firstPartition)
    {
        var n = brokers.Length;
        var start = Math.Abs(startIndex % n);
        var shift = start;
        var result = new List<int[]>(partitions);
        var partition = Math.Max(0, firstPartition);
        for (var i = 0; i < partitions; i++, partition++)
        {
            if (partition > 0 && partition % n == 0)
            {
                shift++;
            }
            var first = (partition + start) % n;
            var replicas = new int[replicationFactor];
            replicas[0] = brokers[first];
            for (var j = 0; j < replicationFactor - 1; j++)
            {
                replicas[j + 1] = brokers[ReplicaIndex(first, shift, j, n)];
            }
            result.Add(replicas);
        }
        return result;
    }

    private static List<int[]> AssignRackAware(List<PlacementBroker> brokers, int partitions, int replicationFactor, int startIndex, int firstPartition)
    {
        var rackOf = brokers.ToDictionary(b => b.Id, b => b.Rack ?? "");
        var racks = rackOf.Values.Distinct(StringComparer.Ordinal).Count();
        var arranged = RackAlternated(brokers);
        var n = arranged.Count;
        var start = Math.Abs(startIndex % n);
        var shift = start;
        var result = new List<int[]>(partitions);
        var partition = Math.Max(0, firstPartition);
        for (var i = 0; i < partitions; i++, partition++)
        {
            if (partition > 0 && partition % n == 0)
            {
                shift++;
            }
            var first = (partition + start) % n;
            var leader = arranged[first];
            var replicas = new List<int>(replicationFactor) { leader };
            var racksUsed = new HashSet<string>(StringComparer.Ordinal) { rackOf[leader] };
            var k = 0;
            while (replicas.Count < replicationFactor)
            {
                var broker = arranged[ReplicaIndex(first, shift * racks, k++, n)];
                var rack = rackOf[broker];
                if ((!racksUsed.Contains(rack) || racksUsed.Count == racks) && !replicas.Contains(broker))
                {
                    replicas.Add(broker);
                    racksUsed.Add(rack);
                }
            }
            result.Add([.. replicas]);
        }
        return result;
    }

    /// <summary>Kafka's getRackAlternatedBrokerList: one broker of each rack in turn, racks and brokers in order.</summary>
    private static List<int> RackAlternated(List<PlacementBroker> brokers)
    {
        var byRack = brokers.GroupBy(b => b.Rack ?? "", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Queue<int>(g.Select(b => b.Id).Order()))
            .ToList();
        var result = new List<int>(brokers.Count);
        for (var rack = 0; result.Count < brokers.Count; rack = (rack + 1) % byRack.Count)
        {
            if (byRack[rack].TryDequeue(out var id))
            {
                result.Add(id);
            }
        }
        return result;
    }

    private static int ReplicaIndex(int firstReplicaIndex, int secondReplicaShift, int replicaIndex, int brokers)
    {
        var shift = 1 + (secondReplicaShift + replicaIndex) % (brokers - 1);
        return (firstReplicaIndex + shift) % brokers;
    }
}
