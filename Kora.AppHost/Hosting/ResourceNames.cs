namespace Kora.AppHost.Hosting;

/// <summary>
/// Aspire's naming rule: ASCII letters, digits and single hyphens, starting with a letter, at most 64
/// characters. Names end up in environment variable names, file names and DNS names.
/// </summary>
internal static class ResourceNames
{
    public static void Validate(string name, string what = "resource")
    {
        var valid = name.Length is > 0 and <= 64
            && char.IsAsciiLetter(name[0])
            && name[^1] != '-'
            && !name.Contains("--", StringComparison.Ordinal)
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
        if (!valid)
        {
            throw new ArgumentException($"'{name}' is not a valid {what} name: use letters, digits and single hyphens, starting with a letter.", nameof(name));
        }
    }
}
