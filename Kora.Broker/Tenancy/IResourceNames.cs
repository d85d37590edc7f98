using Kora.Network;


namespace Kora.Broker.Tenancy;

/// <summary>
/// The one seam every resource name (topic, group, transactional id) passes through between a client
/// and the broker's metadata. Logical clusters will prefix names with the tenant of the connection;
/// a name outside the caller's tenant maps to null and is reported as unknown, never as forbidden.
/// </summary>
public interface IResourceNames
{
    string ToInternal(ClientConnection connection, ResourceKind kind, string name);

    /// <summary>The name the client sees, or null when the resource is not visible to it.</summary>
    string? ToExternal(ClientConnection connection, ResourceKind kind, string internalName);
}
