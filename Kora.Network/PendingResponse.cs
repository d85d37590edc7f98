namespace Kora.Network;

/// <summary>A request admitted on a connection, in arrival order, with its frame buffer held until answered.</summary>
internal readonly record struct PendingResponse(
    RequestContext Context,
    ValueTask<ResponseEnvelope> Response,
    byte[] Frame,
    int FrameLength,
    long StartTimestamp,
    Apis.IApiHandler? Handler,
    System.Diagnostics.Activity? Activity);
