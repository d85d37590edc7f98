using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kora.Broker.Groups;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Broker.Transactions;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Cluster;

/// <summary>
/// Kafka's TransactionMarkerChannelManager in cluster mode: a marker for a partition this broker leads is
/// written here; one for a partition led elsewhere goes to its leader as WriteTxnMarkers. A partition
/// without a live leader answers NOT_LEADER_OR_FOLLOWER, so the coordinator retries until it is back.
/// </summary>
public sealed partial class ClusterMarkerWriter(
    PartitionMarkerWriter local, PartitionManager partitions, MetadataStore metadata, IOptions<BrokerOptions> options, ILogger<ClusterMarkerWriter> logger)
    : ITransactionMarkerWriter, IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private readonly string _clientId = "kora-broker-" + options.Value.NodeId.ToString(CultureInfo.InvariantCulture);
    private readonly ConcurrentDictionary<(int Id, string Host, int Port), ConcurrentBag<PeerConnection>> _idle = new();

    public async ValueTask<ErrorCode> WriteMarkerAsync(TopicPartitionKey partition, long producerId, short producerEpoch, int coordinatorEpoch, bool committed,
        CancellationToken cancellationToken)
    {
        if (partitions.GetLed(partition.Topic, partition.Partition, out var notLed) is not null)
        {
            return await local.WriteMarkerAsync(partition, producerId, producerEpoch, coordinatorEpoch, committed, cancellationToken).ConfigureAwait(false);
        }
        if (notLed == ErrorCode.UnknownTopicOrPartition)
        {
            return notLed;
        }
        var image = metadata.Image;
        var leader = image.Topic(partition.Topic)?.Partitions[partition.Partition].Leader ?? -1;
        if (!image.Brokers.TryGetValue(leader, out var broker) || broker.Fenced)
        {
            return ErrorCode.NotLeaderOrFollower;
        }
        var request = new WriteTxnMarkersRequest
        {
            Markers =
            [
                new WriteTxnMarkersRequest.WritableTxnMarker
                {
                    ProducerId = producerId,
                    ProducerEpoch = producerEpoch,
                    TransactionResult = committed,
                    CoordinatorEpoch = coordinatorEpoch,
                    Topics = [new WriteTxnMarkersRequest.WritableTxnMarkerTopic { Name = partition.Topic, PartitionIndexes = [partition.Partition] }],
                },
            ],
        };
        var key = (broker.Id, broker.Host, broker.Port);
        var pool = _idle.GetOrAdd(key, _ => []);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        PeerConnection? connection = null;
        try
        {
            if (!pool.TryTake(out connection))
            {
                connection = await PeerConnection.ConnectAsync(broker.Id, new DnsEndPoint(broker.Host, broker.Port), _clientId, timeout.Token).ConfigureAwait(false);
            }
            var response = await connection.SendAsync<WriteTxnMarkersResponse>(WriteTxnMarkersRequest.ApiKey, 1, flexible: true, request, timeout.Token).ConfigureAwait(false);
            pool.Add(connection);
            return (ErrorCode)(response.Markers.SingleOrDefault()?.Topics.SingleOrDefault()?.Partitions.SingleOrDefault()?.ErrorCode ?? (short)ErrorCode.UnknownServerError);
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            Log.Unreachable(logger, broker.Id, partition.Topic, partition.Partition, e.Message);
            return ErrorCode.NetworkException;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pool in _idle.Values)
        {
            while (pool.TryTake(out var connection))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Transaction marker for {Topic}-{Partition} did not reach its leader {BrokerId}: {Reason}")]
        public static partial void Unreachable(ILogger logger, int brokerId, string topic, int partition, string reason);
    }
}
