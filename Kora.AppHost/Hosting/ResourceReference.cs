namespace Kora.AppHost.Hosting;

/// <summary>A reference from one resource to another's endpoints: to all of them, or to the one named.</summary>
public sealed record ResourceReference(Resource Target, string? EndpointName);
