using System.Buffers.Binary;
using System.Globalization;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Messages;

namespace Kora.IntegrationTests.Cluster;

/// <summary>What the cluster says about a partition's replicas, and what each broker holds on disk for it.</summary>
internal static class ReplicaLogs
{
    /// <summary>The leader and ISR of <paramref name="topic"/>-<paramref name="partition"/> as <paramref name="broker"/> reports them.</summary>
    public static async Task<(int Leader, int[] Isr)> LeaderAndIsrAsync(BrokerProcess broker, string topic, int partition)
    {
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        var response = await client.SendAsync<MetadataResponse>(MetadataRequest.ApiKey, 12,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false },
            flexibleRequest: true, flexibleResponse: true).WaitAsync(TimeSpan.FromSeconds(10));
        // A broker that has not applied the topic yet lists it with no partitions.
        var p = response.Topics.Single().Partitions.SingleOrDefault(x => x.PartitionIndex == partition);
        return p is null ? (-1, []) : (p.LeaderId, [.. p.IsrNodes.Order()]);
    }

    /// <summary>The replicas of <paramref name="topic"/>-<paramref name="partition"/> as <paramref name="broker"/> reports them.</summary>
    public static async Task<int[]> ReplicasAsync(BrokerProcess broker, string topic, int partition)
    {
        await using var client = await RawKafkaClient.ConnectAsync(broker.KafkaEndPoint);
        var response = await client.SendAsync<MetadataResponse>(MetadataRequest.ApiKey, 12,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false },
            flexibleRequest: true, flexibleResponse: true).WaitAsync(TimeSpan.FromSeconds(10));
        return response.Topics.Single().Partitions.SingleOrDefault(x => x.PartitionIndex == partition)?.ReplicaNodes.ToArray() ?? [];
    }

    /// <summary>
    /// The record batches of a partition as stored in <paramref name="dataDir"/>, concatenated over its segments in
    /// offset order, and the log end offset they give; read from the files of a stopped broker.
    /// </summary>
    public static (byte[] Batches, long LogEndOffset) Read(string dataDir, string topic, int partition)
    {
        var directory = Path.Combine(dataDir, $"{topic}-{partition.ToString(CultureInfo.InvariantCulture)}");
        var all = new MemoryStream();
        long end = 0;
        foreach (var file in Directory.GetFiles(directory, "*.log").Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            var at = 0;
            while (at + 61 <= bytes.Length)
            {
                var size = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 8)) + 12;
                if (size < 61 || at + size > bytes.Length)
                {
                    break;
                }
                var baseOffset = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(at));
                end = baseOffset + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 23)) + 1;
                all.Write(bytes, at, size);
                at += size;
            }
        }
        return (all.ToArray(), end);
    }
}
