using Kora.Broker.Metadata;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// DescribeCluster v0-1 (always flexible). Reports the cluster id, the unfenced brokers from the
/// metadata image, and this broker as the controller. Cluster authorized operations are reported only
/// when asked (every cluster operation, as there is no authorizer yet), otherwise Int32.MinValue.
/// v1 names the endpoint type: brokers (1) are described; controllers (2) are not reachable through a
/// broker, so that is MISMATCHED_ENDPOINT_TYPE, and any other type UNSUPPORTED_ENDPOINT_TYPE, as in
/// Kafka's AuthHelper (v0 cannot carry those codes and gets INVALID_REQUEST).
/// </summary>
public sealed class DescribeClusterHandler(TopicAdmin admin, IOptions<BrokerOptions> options) : ApiHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    private const sbyte BrokersEndpoint = 1;
    private const sbyte ControllersEndpoint = 2;

    /// <summary>CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE as operation bits.</summary>
    private const int AllClusterOperations = (1 << 4) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    private readonly BrokerOptions _options = options.Value;

    public override short ApiKey => DescribeClusterRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => DescribeClusterRequest.LowestFlexibleVersion;

    protected override ValueTask<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request)
    {
        if (request.EndpointType != BrokersEndpoint)
        {
            var known = request.EndpointType == ControllersEndpoint;
            return ValueTask.FromResult<DescribeClusterResponse?>(new DescribeClusterResponse
            {
                ErrorCode = (short)(context.Version == 0 ? ErrorCode.InvalidRequest : known ? ErrorCode.MismatchedEndpointType : ErrorCode.UnsupportedEndpointType),
                ErrorMessage = known
                    ? "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER"
                    : $"Unsupported endpoint type {request.EndpointType}",
            });
        }
        var image = admin.Image;
        var response = new DescribeClusterResponse
        {
            EndpointType = BrokersEndpoint,
            ClusterId = _options.ClusterId,
            ControllerId = _options.NodeId,
            ClusterAuthorizedOperations = request.IncludeClusterAuthorizedOperations ? AllClusterOperations : int.MinValue,
        };
        foreach (var broker in image.Brokers.Values.Where(b => !b.Fenced).OrderBy(b => b.Id))
        {
            response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker { BrokerId = broker.Id, Host = broker.Host, Port = broker.Port, Rack = broker.Rack });
        }
        if (!response.Brokers.Any(b => b.BrokerId == response.ControllerId))
        {
            // Kafka reports -1 rather than a controller the client cannot find among the brokers.
            response.ControllerId = -1;
        }
        return ValueTask.FromResult<DescribeClusterResponse?>(response);
    }

    protected override void SetError(DescribeClusterResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
