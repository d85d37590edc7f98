namespace Kora.AppHost.Orchestration;

/// <summary>
/// Kora services announce readiness with one stdout line such as
/// <c>KORA_BROKER_READY kafka=127.0.0.1:9092 http=127.0.0.1:41234</c>: the endpoints they actually bound.
/// </summary>
internal static class ReadyLine
{
    public static bool TryParse(string line, out Dictionary<string, string> endpoints)
    {
        endpoints = [];
        if (!line.StartsWith("KORA_", StringComparison.Ordinal))
        {
            return false;
        }
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!parts[0].EndsWith("_READY", StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                endpoints[part[..equals]] = part[(equals + 1)..];
            }
        }
        return true;
    }
}
