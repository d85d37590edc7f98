namespace Kora.AppHost.Orchestration;

/// <summary>
/// Kora services announce readiness with one stdout line such as
/// <c>KORA_BROKER_READY kafka=127.0.0.1:9092 http=127.0.0.1:41234</c>: the endpoints they actually bound.
/// </summary>
internal static class ReadyLine
{
    public static bool TryParse(string line, string prefix, out Dictionary<string, string> endpoints)
    {
        endpoints = [];
        if (!line.StartsWith(prefix, StringComparison.Ordinal) || (line.Length > prefix.Length && line[prefix.Length] != ' '))
        {
            return false;
        }
        foreach (var part in line[prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
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
