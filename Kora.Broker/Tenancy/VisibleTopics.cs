using Kora.Network;

namespace Kora.Broker.Tenancy;

/// <summary>Rewrites a controller's per-topic answers for one client: its own names, and nothing it cannot see.</summary>
public static class VisibleTopics
{
    public static List<T> Keep<T>(IResourceNames names, ClientConnection connection, IEnumerable<T> topics, Func<T, string> name, Action<T, string> rename)
    {
        var visible = new List<T>();
        foreach (var topic in topics)
        {
            if (names.ToExternal(connection, ResourceKind.Topic, name(topic)) is { } external)
            {
                rename(topic, external);
                visible.Add(topic);
            }
        }
        return visible;
    }
}
