using Kora.Metadata;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Quorum;

public sealed partial class QuorumController
{
    /// <summary>Kafka's block of producer ids per AllocateProducerIds.</summary>
    public const int ProducerIdBlockSize = 1000;

    /// <summary>
    /// Kafka's ClusterControlManager.registerBroker. A broker registers fenced with a new epoch and is
    /// unfenced by a heartbeat once it has caught up with the metadata log. The same incarnation
    /// registering again gets its epoch back; another incarnation is refused while the registered one
    /// still holds a lease, unless it names that registration's epoch as its previous one (a clean restart).
    /// </summary>
    public Task<BrokerRegistrationResult> RegisterBroker(BrokerRegistrationRequestData request, long now) => Write(image =>
    {
        if (_options.ClusterId is { } clusterId && request.ClusterId != clusterId)
        {
            return Decided(new BrokerRegistrationResult(ErrorCode.InconsistentClusterId, -1,
                $"Expected cluster ID {clusterId}, but got cluster ID {request.ClusterId}"));
        }
        if (request.BrokerId < 0)
        {
            return Decided(new BrokerRegistrationResult(ErrorCode.InvalidRequest, -1, $"Invalid broker id {request.BrokerId}."));
        }
        if (request.Listeners.Count == 0)
        {
            return Decided(new BrokerRegistrationResult(ErrorCode.InvalidRequest, -1, "A broker must register at least one listener."));
        }
        image.Brokers.TryGetValue(request.BrokerId, out var existing);
        if (existing is not null && existing.IncarnationId == request.IncarnationId)
        {
            _leases.Touch(request.BrokerId, now);
            return Decided(new BrokerRegistrationResult(ErrorCode.None, existing.Epoch));
        }
        if (existing is not null && _leases.HasValidLease(request.BrokerId, now) && request.PreviousBrokerEpoch != existing.Epoch)
        {
            return Decided(new BrokerRegistrationResult(ErrorCode.DuplicateBrokerRegistration, -1,
                $"Another broker is registered with that broker id {request.BrokerId}."));
        }
        // Kafka uses the registration record's offset; the next offset of the latest image is that offset or below it, and epochs only grow.
        var epoch = Math.Max(image.Offset + 1, (existing?.Epoch ?? -1) + 1);
        var records = new List<IKafkaMessage>
        {
            new RegisterBrokerRecord
            {
                BrokerId = request.BrokerId,
                IncarnationId = request.IncarnationId,
                BrokerEpoch = epoch,
                EndPoints = request.Listeners.Select(l => new RegisterBrokerRecord.BrokerEndpoint { Name = l.Name, Host = l.Host, Port = (ushort)l.Port, SecurityProtocol = l.SecurityProtocol }).ToList(),
                Rack = request.Rack,
                Fenced = true,
                InControlledShutdown = false,
            },
        };
        if (existing is { Fenced: false })
        {
            // The old incarnation went away without a controlled shutdown: its leaderships move now, not at lease expiry.
            records.AddRange(PartitionLeadership.MoveAwayFrom(MetadataImageBuilder.ApplyAll(image, records), request.BrokerId));
        }
        _leases.Touch(request.BrokerId, now);
        Log.BrokerRegistered(_logger, request.BrokerId, epoch, request.IncarnationId);
        return new MetadataDecision<BrokerRegistrationResult>(records, new BrokerRegistrationResult(ErrorCode.None, epoch));
    });

    /// <summary>
    /// Kafka's BrokerHeartbeatManager state machine. A fenced broker that has caught up (its metadata
    /// offset reached its registration) is unfenced and leads its offline partitions again; WantFence
    /// fences; WantShutDown starts a controlled shutdown that moves leadership away, and the broker is
    /// told to shut down (and fenced) once it leads nothing. <paramref name="connection"/> identifies the
    /// connection the heartbeat came on: its closing may fence the broker (see <see cref="HeartbeatConnectionClosed"/>).
    /// </summary>
    public Task<BrokerHeartbeatResult> Heartbeat(
        int brokerId, long brokerEpoch, long currentMetadataOffset, bool wantFence, bool wantShutDown, long now, object? connection = null) => Write(image =>
    {
        if (!image.Brokers.TryGetValue(brokerId, out var broker))
        {
            return Decided(new BrokerHeartbeatResult(ErrorCode.BrokerIdNotRegistered, false, true, false));
        }
        if (broker.Epoch != brokerEpoch)
        {
            return Decided(new BrokerHeartbeatResult(ErrorCode.StaleBrokerEpoch, false, true, false));
        }
        _leases.Touch(brokerId, now);
        if (connection is not null)
        {
            _heartbeatConnections.Attach(brokerId, brokerEpoch, connection);
        }
        var caughtUp = currentMetadataOffset >= broker.Epoch;
        if (broker.Fenced)
        {
            if (wantShutDown)
            {
                return Decided(new BrokerHeartbeatResult(ErrorCode.None, caughtUp, true, true));
            }
            if (wantFence || !caughtUp)
            {
                return Decided(new BrokerHeartbeatResult(ErrorCode.None, caughtUp, true, false));
            }
            var unfence = new List<IKafkaMessage> { new UnfenceBrokerRecord { Id = brokerId, Epoch = broker.Epoch } };
            unfence.AddRange(PartitionLeadership.ElectOnReturn(MetadataImageBuilder.ApplyAll(image, unfence), brokerId));
            return new MetadataDecision<BrokerHeartbeatResult>(unfence, new BrokerHeartbeatResult(ErrorCode.None, true, false, false));
        }
        if (wantFence)
        {
            return new MetadataDecision<BrokerHeartbeatResult>(FenceRecords(image, broker), new BrokerHeartbeatResult(ErrorCode.None, caughtUp, true, false));
        }
        if (!broker.InControlledShutdown && !wantShutDown)
        {
            return Decided(new BrokerHeartbeatResult(ErrorCode.None, caughtUp, false, false));
        }
        var records = new List<IKafkaMessage>();
        if (!broker.InControlledShutdown)
        {
            records.Add(new BrokerRegistrationChangeRecord { BrokerId = brokerId, BrokerEpoch = broker.Epoch, InControlledShutdown = 1 });
            records.AddRange(PartitionLeadership.MoveAwayFrom(MetadataImageBuilder.ApplyAll(image, records), brokerId));
        }
        var after = MetadataImageBuilder.ApplyAll(image, records);
        if (PartitionLeadership.LeaderCount(after, brokerId) > 0)
        {
            return new MetadataDecision<BrokerHeartbeatResult>(records, new BrokerHeartbeatResult(ErrorCode.None, caughtUp, false, false));
        }
        records.AddRange(FenceRecords(after, after.Brokers[brokerId]));
        return new MetadataDecision<BrokerHeartbeatResult>(records, new BrokerHeartbeatResult(ErrorCode.None, caughtUp, true, true));
    });

    /// <summary>
    /// A connection that carried heartbeats closed. Only the active controller acts, and only on connections it
    /// saw heartbeats on in its current term: the brokers whose latest heartbeat came on it are fenced by
    /// <see cref="Tick"/> once the grace passes without another heartbeat, a controlled shutdown, or a new registration.
    /// </summary>
    public void HeartbeatConnectionClosed(object connection, long now)
    {
        if (_active)
        {
            _heartbeatConnections.Closed(connection, now);
        }
    }

    /// <summary>Kafka's ProducerIdControlManager: the next block of ids, recorded so no id is handed out twice.</summary>
    public Task<ProducerIdBlock> AllocateProducerIds(int brokerId, long brokerEpoch) => Write(image =>
    {
        if (!image.Brokers.TryGetValue(brokerId, out var broker) || broker.Epoch != brokerEpoch)
        {
            return Decided(new ProducerIdBlock(ErrorCode.StaleBrokerEpoch, -1, 0));
        }
        var start = image.NextProducerId;
        if (start > long.MaxValue - ProducerIdBlockSize)
        {
            return Decided(new ProducerIdBlock(ErrorCode.UnknownServerError, -1, 0));
        }
        return new MetadataDecision<ProducerIdBlock>(
            [new ProducerIdsRecord { BrokerId = brokerId, BrokerEpoch = brokerEpoch, NextProducerId = start + ProducerIdBlockSize }],
            new ProducerIdBlock(ErrorCode.None, start, ProducerIdBlockSize));
    });

    /// <summary>Fencing a broker and moving its leaderships, in one batch.</summary>
    private static List<IKafkaMessage> FenceRecords(MetadataImage image, BrokerImage broker)
    {
        var records = new List<IKafkaMessage> { new FenceBrokerRecord { Id = broker.Id, Epoch = broker.Epoch } };
        records.AddRange(PartitionLeadership.MoveAwayFrom(MetadataImageBuilder.ApplyAll(image, records), broker.Id));
        return records;
    }

    private static MetadataDecision<T> Decided<T>(T result) => new([], result);
}
