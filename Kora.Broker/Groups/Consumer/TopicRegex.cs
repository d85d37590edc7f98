using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Kora.Broker.Groups.Consumer;

/// <summary>
/// Subscription regular expressions (SubscribedTopicRegex), matched against whole topic names as Kafka's
/// Pattern.matches does. Compiled once per pattern; a match that runs too long counts as no match, so a
/// hostile pattern cannot stall the coordinator.
/// </summary>
public static class TopicRegex
{
    private const int MaxCached = 1024;
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The compiled pattern, or null with the reason when it is not a valid expression.</summary>
    public static Regex? TryCompile(string pattern, out string? problem)
    {
        problem = null;
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }
        try
        {
            // The pattern is parsed alone first: wrapped, an unbalanced one such as "a)|(b" would pass.
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
            var regex = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
            if (Cache.Count >= MaxCached)
            {
                Cache.Clear();
            }
            Cache[pattern] = regex;
            return regex;
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
            return null;
        }
    }

    public static bool Matches(string pattern, string topic)
    {
        if (TryCompile(pattern, out _) is not { } regex)
        {
            return false;
        }
        try
        {
            return regex.IsMatch(topic);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
