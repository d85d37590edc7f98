using Kora.Network;
using Kora.Protocol.Primitives;

namespace Kora.Network.Apis;

/// <summary>
/// The common shape of every handler: a typed request in, a typed response out. Subclasses state the
/// versions they serve; the dispatcher refuses anything outside them before a handler runs.
/// </summary>
public abstract class ApiHandler<TRequest, TResponse> : IApiHandler
    where TRequest : IKafkaMessage, new()
    where TResponse : IKafkaMessage, new()
{
    public abstract short ApiKey { get; }
    public abstract short MinVersion { get; }
    public abstract short MaxVersion { get; }
    protected abstract short FirstFlexibleVersion { get; }

    public bool IsFlexible(short version) => version >= FirstFlexibleVersion;

    public ValueTask<ResponseEnvelope> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body)
    {
        var reader = new KafkaReader(body);
        var request = new TRequest();
        request.Read(ref reader, context.Version);
        var pending = HandleAsync(context, request);
        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<ResponseEnvelope>(Envelope(context, pending.Result));
        }
        return Await(context, pending);
    }

    private async ValueTask<ResponseEnvelope> Await(RequestContext context, ValueTask<TResponse?> pending) =>
        Envelope(context, await pending.ConfigureAwait(false));

    private ResponseEnvelope Envelope(RequestContext context, TResponse? response) =>
        response is null ? ResponseEnvelope.None : new ResponseEnvelope(response, context.Version, FlexibleResponseHeader(context.Version));

    /// <summary>Response header v1 (with tagged fields) goes with flexible versions; ApiVersions overrides this.</summary>
    protected virtual bool FlexibleResponseHeader(short version) => IsFlexible(version);

    protected abstract ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request);

    public virtual ResponseEnvelope ErrorResponse(RequestContext context, ErrorCode error)
    {
        var response = new TResponse();
        SetError(response, error);
        var version = Math.Clamp(context.Version, MinVersion, MaxVersion);
        return new ResponseEnvelope(response, version, FlexibleResponseHeader(version));
    }

    /// <summary>Marks a response as failed with a top-level error, where the API has one.</summary>
    protected virtual void SetError(TResponse response, ErrorCode error)
    {
    }
}
