using System.Globalization;
using Kora.AppHost.Hosting.Expressions;

namespace Kora.AppHost.Hosting.Endpoints;

/// <summary>One property of an endpoint as a deferred value; in a manifest <c>{name.bindings.endpoint.property}</c>.</summary>
public sealed class EndpointReferenceExpression(EndpointReference endpoint, EndpointProperty property) : IValueProvider
{
    public EndpointReference Endpoint { get; } = endpoint;

    public EndpointProperty Property { get; } = property;

    public string GetValue() => Property switch
    {
        EndpointProperty.Url => Endpoint.Url,
        EndpointProperty.Host => Endpoint.Host,
        EndpointProperty.Port or EndpointProperty.TargetPort => Endpoint.Port.ToString(CultureInfo.InvariantCulture),
        EndpointProperty.Scheme => Endpoint.Endpoint.Scheme,
        EndpointProperty.HostAndPort => Endpoint.HostAndPort,
        _ => throw new ArgumentOutOfRangeException(nameof(Property), Property, null),
    };

    public string ValueExpression => Property switch
    {
        EndpointProperty.HostAndPort => $"{Binding("host")}:{Binding("port")}",
        EndpointProperty.TargetPort => Binding("targetPort"),
        _ => Binding(Property.ToString().ToLowerInvariant()),
    };

    private string Binding(string property) => $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}.{property}}}";
}
