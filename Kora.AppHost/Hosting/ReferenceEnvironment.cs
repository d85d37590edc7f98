using Kora.AppHost.Hosting.Endpoints;
using Kora.AppHost.Hosting.Expressions;

namespace Kora.AppHost.Hosting;

/// <summary>
/// What a reference puts in the referencing process's environment, by Aspire's service-discovery
/// convention, so .NET configuration reads it as <c>services:{name}:{endpoint}:0</c>:
/// <list type="bullet">
/// <item><c>services__{name}__{endpoint}__0</c> = the endpoint's URL (<c>tcp://127.0.0.1:9092</c>,
/// <c>http://127.0.0.1:41234</c>), one per endpoint referenced;</item>
/// <item><c>ConnectionStrings__{name}</c> = the resource's connection string when it has one (a
/// broker's is its Kafka bootstrap address <c>127.0.0.1:9092</c>), when the whole resource is referenced.</item>
/// </list>
/// </summary>
public static class ReferenceEnvironment
{
    public static string ServiceVariable(string resource, string endpoint) => $"services__{resource}__{endpoint}__0";

    public static string ConnectionStringVariable(string resource) => $"ConnectionStrings__{resource}";

    internal static void AddTo(Dictionary<string, ReferenceExpression> environment, ResourceReference reference)
    {
        var target = reference.Target;
        var endpoints = reference.EndpointName is { } name
            ? [target.FindEndpoint(name) ?? throw new InvalidOperationException($"Resource '{target.Name}' has no endpoint named '{name}'.")]
            : target.Endpoints;
        foreach (var endpoint in endpoints)
        {
            var url = new EndpointReference(target, endpoint.Name).Property(EndpointProperty.Url);
            environment[ServiceVariable(target.Name, endpoint.Name)] = ReferenceExpression.Create($"{url}");
        }
        if (reference.EndpointName is null && target.ConnectionString is { } connectionString)
        {
            environment[ConnectionStringVariable(target.Name)] = connectionString;
        }
    }
}
