using Kora.Controller.Quorum;
using Kora.Controller.Raft;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>
/// BrokerRegistration v0-4: a broker announces its id, incarnation, listeners and rack and gets the
/// epoch it heartbeats with. A broker's cell is not part of this request (Kafka has no field for it):
/// it is the per-broker config <c>kora.broker.cell</c>, set with IncrementalAlterConfigs.
/// </summary>
public sealed class BrokerRegistrationHandler(ControllerRaft raft) : ApiHandler<BrokerRegistrationRequest, BrokerRegistrationResponse>
{
    public override short ApiKey => BrokerRegistrationRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;
    protected override short FirstFlexibleVersion => BrokerRegistrationRequest.LowestFlexibleVersion;

    protected override async ValueTask<BrokerRegistrationResponse?> HandleAsync(RequestContext context, BrokerRegistrationRequest request)
    {
        var data = new BrokerRegistrationRequestData(
            request.BrokerId,
            request.ClusterId,
            request.IncarnationId,
            request.Listeners.Select(l => new BrokerEndpoint(l.Name, l.Host, l.Port, l.SecurityProtocol)).ToList(),
            request.Rack,
            context.Version >= 3 ? request.PreviousBrokerEpoch : -1);
        var (result, error) = await ControllerCall.RunAsync(raft, (controller, now) => controller.RegisterBroker(data, now), 0, context.Aborted).ConfigureAwait(false);
        return result is null
            ? new BrokerRegistrationResponse { ErrorCode = (short)error, BrokerEpoch = -1 }
            : new BrokerRegistrationResponse { ErrorCode = (short)result.Error, BrokerEpoch = result.BrokerEpoch };
    }

    protected override void SetError(BrokerRegistrationResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
