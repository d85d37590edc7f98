using System.Globalization;
using Kora.AppHost.Hosting.Expressions;

namespace Kora.AppHost.Hosting.Endpoints;

/// <summary>
/// A handle on one resource's named endpoint, usable before the endpoint is declared or its port
/// chosen: its values are read when a process starts. As a value it is the endpoint's URL.
/// </summary>
public sealed class EndpointReference(Resource resource, string endpointName) : IValueProvider
{
    public Resource Resource { get; } = resource;

    public string EndpointName { get; } = endpointName;

    /// <summary>The declared endpoint; fails if the resource has none by that name.</summary>
    public EndpointAnnotation Endpoint => Resource.FindEndpoint(EndpointName)
        ?? throw new InvalidOperationException($"Resource '{Resource.Name}' has no endpoint named '{EndpointName}'.");

    public bool Exists => Resource.FindEndpoint(EndpointName) is not null;

    public int Port => Endpoint.AllocatedPort
        ?? throw new InvalidOperationException($"The port of {Resource.Name}/{EndpointName} is chosen when the application is built.");

    public string Host => EndpointAnnotation.LoopbackHost;

    public string HostAndPort => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    public string Url => $"{Endpoint.Scheme}://{HostAndPort}";

    public EndpointReferenceExpression Property(EndpointProperty property) => new(this, property);

    public string GetValue() => Url;

    public string ValueExpression => Property(EndpointProperty.Url).ValueExpression;
}
