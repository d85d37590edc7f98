using Kora.Controller.Quorum;
using Kora.Controller.Raft;
using Kora.Metadata.Configs;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Controller.Apis;

/// <summary>
/// IncrementalAlterConfigs v0-1 on the active controller: SET, DELETE, APPEND and SUBTRACT on topic
/// configs; on BROKER resources ("" or a broker id) the one dynamic broker config, <c>kora.broker.cell</c>.
/// Malformed resources and resources named twice fail with INVALID_REQUEST; the rest commit as one batch.
/// </summary>
public sealed class IncrementalAlterConfigsHandler(ControllerRaft raft, IOptions<ControllerOptions> options)
    : ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    public override short ApiKey => IncrementalAlterConfigsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => IncrementalAlterConfigsRequest.LowestFlexibleVersion;

    protected override async ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var changes = request.Resources.Select(r => new ConfigChange(
            r.ResourceType, r.ResourceName, r.Configs.Select(c => new ConfigAlteration(c.Name, (ConfigOperation)c.ConfigOperation, c.Value)).ToList(), Incremental: true)).ToList();
        var outcomes = await ConfigChangeRunner.RunAsync(raft, changes, c => ConfigOperations.CheckIncremental(c.Alterations), options.Value, request.ValidateOnly, context.Aborted)
            .ConfigureAwait(false);
        var response = new IncrementalAlterConfigsResponse();
        for (var i = 0; i < changes.Count; i++)
        {
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = changes[i].ResourceType,
                ResourceName = changes[i].ResourceName,
                ErrorCode = (short)outcomes[i].Error,
                ErrorMessage = outcomes[i].Message,
            });
        }
        return response;
    }
}
