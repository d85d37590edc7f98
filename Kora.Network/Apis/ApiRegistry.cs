namespace Kora.Network.Apis;

/// <summary>The handlers this server serves, indexed by API key.</summary>
public sealed class ApiRegistry
{
    private readonly IApiHandler?[] _byKey = new IApiHandler?[128];

    public ApiRegistry(IEnumerable<IApiHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            _byKey[handler.ApiKey] = handler;
        }
        All = _byKey.Where(h => h is not null).Select(h => h!).ToArray();
    }

    public IReadOnlyList<IApiHandler> All { get; }

    public IApiHandler? Find(short apiKey) => apiKey >= 0 && apiKey < _byKey.Length ? _byKey[apiKey] : null;

    public bool IsFlexible(short apiKey, short version) => Find(apiKey) is { } handler && handler.IsFlexible(version);
}
