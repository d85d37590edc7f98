using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.Protocol.Messages;

namespace Kora.Cluster.Bench;

/// <summary>
/// Reassignment throughput: a single-replica partition of <c>megabytes</c> MB moved to another broker with
/// AlterPartitionReassignments and no throttle, timed from the request until no reassignment is listed and the
/// partition's replicas are the target: the rate a new replica copies an existing log at.
/// </summary>
public static class ReassignmentBench
{
    private const int ValueBytes = 16 * 1024;
    private const string Topic = "reassign-bench";

    public static async Task RunAsync(Fleet fleet, List<(string What, string Value)> rows, int megabytes)
    {
        const int source = 101;
        const int target = 102;
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fleet.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicasAssignments = new() { [0] = [source] } }]);
        }
        Fill(fleet.BootstrapServers, megabytes);
        var broker = fleet.Brokers.Single(b => b.Name == $"broker-{target}");
        var clock = Stopwatch.StartNew();
        var response = await Wire.SendAsync<AlterPartitionReassignmentsResponse>(broker.KafkaEndPoint, AlterPartitionReassignmentsRequest.ApiKey, 0,
            new AlterPartitionReassignmentsRequest
            {
                Topics = [new AlterPartitionReassignmentsRequest.ReassignableTopic { Name = Topic, Partitions = [new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = 0, Replicas = [target] }] }],
            }, TimeSpan.FromSeconds(30));
        var error = response.ErrorCode != 0 ? response.ErrorCode : response.Responses.Single().Partitions.Single().ErrorCode;
        if (error != 0)
        {
            throw new InvalidOperationException($"AlterPartitionReassignments failed with error {error}");
        }
        while (!await DoneAsync(broker, target))
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("The reassignment did not complete within 5 minutes.");
            }
            await Task.Delay(100);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        rows.Add(($"reassignment of a {megabytes} MB single-replica partition to another broker, unthrottled",
            string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s ({megabytes / seconds:F1} MB/s)")));
        Console.Error.WriteLine($"[cluster-bench] reassigned {megabytes} MB in {seconds:F1} s");
    }

    private static void Fill(string bootstrap, int megabytes)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.Leader,
            LingerMs = 20,
            BatchSize = 1_000_000,
            QueueBufferingMaxKbytes = 256 * 1024,
        }).Build();
        var value = new byte[ValueBytes];
        Random.Shared.NextBytes(value);
        for (long i = 0; i < megabytes * 1024L * 1024 / ValueBytes; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(Topic, 0), new Message<Null, byte[]> { Value = value });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }
        producer.Flush(TimeSpan.FromMinutes(5));
    }

    private static async Task<bool> DoneAsync(NodeProcess broker, int target)
    {
        var listed = await Wire.SendAsync<ListPartitionReassignmentsResponse>(broker.KafkaEndPoint, ListPartitionReassignmentsRequest.ApiKey, 0,
            new ListPartitionReassignmentsRequest { Topics = null }, TimeSpan.FromSeconds(10));
        if (listed.Topics.Count > 0)
        {
            return false;
        }
        var metadata = await Wire.SendAsync<MetadataResponse>(broker.KafkaEndPoint, MetadataRequest.ApiKey, 12,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = Topic }], AllowAutoTopicCreation = false }, TimeSpan.FromSeconds(10));
        var partition = metadata.Topics.Single().Partitions.Single();
        return partition.ReplicaNodes.SequenceEqual([target]) && partition.IsrNodes.SequenceEqual([target]);
    }
}
