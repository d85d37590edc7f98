using Kora.Metadata;

namespace Kora.Controller.Tests.Metadata;

public class ReplicaPlacementTests
{
    [Fact]
    public void Without_racks_it_is_Kafkas_round_robin_with_shifted_followers()
    {
        var brokers = new[] { 0, 1, 2, 3, 4 };
        var assignment = ReplicaPlacement.Assign(brokers.Select(b => new PlacementBroker(b, null)).ToList(), 10, 3, startIndex: 0);
        // Kafka's AdminUtils with fixed start index 0 and replica shift 0.
        Assert.Equal([0, 1, 2], assignment[0]);
        Assert.Equal([1, 2, 3], assignment[1]);
        Assert.Equal([4, 0, 1], assignment[4]);
        Assert.Equal([0, 2, 3], assignment[5]);
        Assert.Equal([4, 1, 2], assignment[9]);
    }

    [Fact]
    public void With_racks_every_replica_of_a_partition_is_in_another_rack()
    {
        var brokers = new List<PlacementBroker>
        {
            new(0, "r1"), new(1, "r1"), new(2, "r2"), new(3, "r2"), new(4, "r3"), new(5, "r3"),
        };
        var assignment = ReplicaPlacement.Assign(brokers, 30, 3, startIndex: 2);
        var rack = brokers.ToDictionary(b => b.Id, b => b.Rack);
        Assert.All(assignment, replicas => Assert.Equal(3, replicas.Select(r => rack[r]).Distinct().Count()));
        Assert.All(assignment.GroupBy(r => r[0]), g => Assert.Equal(5, g.Count()));
    }

    [Fact]
    public void More_replicas_than_racks_still_places_distinct_brokers()
    {
        var brokers = new List<PlacementBroker> { new(1, "r1"), new(2, "r1"), new(3, "r2"), new(4, "r2") };
        var assignment = ReplicaPlacement.Assign(brokers, 8, 3, startIndex: 0);
        Assert.All(assignment, replicas =>
        {
            Assert.Equal(3, replicas.Distinct().Count());
            Assert.Equal(2, replicas.Select(r => r <= 2 ? "r1" : "r2").Distinct().Count());
        });
    }
}
