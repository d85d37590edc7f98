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
/// AlterConfigs v0-2 (legacy, whole-resource replace) on the active controller: the given configs become
/// the resource's only overrides. Duplicate names and null values fail the resource with INVALID_REQUEST.
/// </summary>
public sealed class AlterConfigsHandler(ControllerRaft raft, IOptions<ControllerOptions> options) : ApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    public override short ApiKey => AlterConfigsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;
    protected override short FirstFlexibleVersion => AlterConfigsRequest.LowestFlexibleVersion;

    protected override async ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var changes = request.Resources.Select(r => new ConfigChange(
            r.ResourceType, r.ResourceName, r.Configs.Select(c => new ConfigAlteration(c.Name, ConfigOperation.Set, c.Value)).ToList(), Incremental: false)).ToList();
        var outcomes = await ConfigChangeRunner.RunAsync(
            raft, changes, c => ConfigOperations.CheckLegacy(c.Alterations.Select(a => new KeyValuePair<string, string?>(a.Name, a.Value)).ToList()),
            options.Value, request.ValidateOnly, context.Aborted).ConfigureAwait(false);
        var response = new AlterConfigsResponse();
        for (var i = 0; i < changes.Count; i++)
        {
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
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
