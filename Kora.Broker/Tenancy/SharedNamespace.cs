using Kora.Network;


namespace Kora.Broker.Tenancy;

/// <summary>One namespace for every connection: names pass through unchanged.</summary>
public sealed class SharedNamespace : IResourceNames
{
    public string ToInternal(ClientConnection connection, ResourceKind kind, string name) => name;

    public string? ToExternal(ClientConnection connection, ResourceKind kind, string internalName) => internalName;
}
