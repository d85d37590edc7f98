using Kora.Network;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace Kora.Network.Apis;

/// <summary>
/// ApiVersions v0-4. Lists every API and version range this server serves. v3+ carries the client's
/// software name and version, kept on the connection. An unsupported version is answered in v0
/// format with UNSUPPORTED_VERSION and the full list (KIP-511), so the client can retry with one it shares.
/// The response header is always v0, even for flexible versions, so clients can parse it before they know.
/// </summary>
public sealed class ApiVersionsHandler(IServiceProvider services) : ApiHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    private ApiVersionsResponse.ApiVersion[]? _versions;

    public override short ApiKey => ApiVersionsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;
    protected override short FirstFlexibleVersion => ApiVersionsRequest.LowestFlexibleVersion;
    protected override bool FlexibleResponseHeader(short version) => false;

    protected override ValueTask<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request)
    {
        if (context.Version >= 3)
        {
            context.Connection.ClientSoftwareName = request.ClientSoftwareName;
            context.Connection.ClientSoftwareVersion = request.ClientSoftwareVersion;
        }
        return ValueTask.FromResult<ApiVersionsResponse?>(new ApiVersionsResponse { ApiKeys = [.. Versions()] });
    }

    public override ResponseEnvelope ErrorResponse(RequestContext context, ErrorCode error) =>
        new(new ApiVersionsResponse { ErrorCode = (short)error, ApiKeys = [.. Versions()] }, 0, false);

    private ApiVersionsResponse.ApiVersion[] Versions() => _versions ??= services.GetRequiredService<ApiRegistry>().All
        .Select(h => new ApiVersionsResponse.ApiVersion { ApiKey = h.ApiKey, MinVersion = h.MinVersion, MaxVersion = h.MaxVersion })
        .ToArray();
}
