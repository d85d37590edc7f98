using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Primitives;
using Kora.Raft.Network;

namespace Kora.Controller.Apis;

/// <summary>
/// Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot and DescribeQuorum: handed to the Raft
/// core as they are and answered with whatever it answers, possibly later (a fetch with nothing new
/// waits up to its max wait). DescribeQuorum is answered to any client; the others are for replicas.
/// </summary>
public sealed class RaftRpcHandler<TRequest, TResponse>(
    ControllerRaft raft, short apiKey, short minVersion, short maxVersion, Action<TResponse, ErrorCode> setError, int answerTimeoutMs)
    : ApiHandler<TRequest, TResponse>
    where TRequest : IKafkaMessage, new()
    where TResponse : class, IKafkaMessage, new()
{
    public override short ApiKey => apiKey;
    public override short MinVersion => minVersion;
    public override short MaxVersion => maxVersion;
    protected override short FirstFlexibleVersion { get; } = FirstFlexible(apiKey, minVersion, maxVersion);

    private static short FirstFlexible(short apiKey, short minVersion, short maxVersion)
    {
        for (var v = minVersion; v <= maxVersion; v++)
        {
            if (RaftWire.IsFlexible(apiKey, v))
            {
                return v;
            }
        }
        return short.MaxValue;
    }

    protected override async ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request)
    {
        var answer = await raft.Network.SubmitAsync(context.Header, request, TimeSpan.FromMilliseconds(answerTimeoutMs), context.Stopping).ConfigureAwait(false);
        if (answer is TResponse response)
        {
            return response;
        }
        var failed = new TResponse();
        setError(failed, context.Stopping.IsCancellationRequested ? ErrorCode.BrokerNotAvailable : ErrorCode.RequestTimedOut);
        return failed;
    }

    protected override void SetError(TResponse response, ErrorCode error) => setError(response, error);
}
