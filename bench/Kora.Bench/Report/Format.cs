using System.Globalization;

namespace Kora.Bench.Report;

/// <summary>Number formatting for the report ("—" for a missing value).</summary>
internal static class Format
{
    public const string Missing = "—";

    public static string Count(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : Missing;

    public static string Decimal(double? value, int digits = 1) =>
        value is { } v && double.IsFinite(v) ? v.ToString("N" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : Missing;

    public static string Milliseconds(double? value) => value is { } v ? Decimal(v, v < 100 ? 2 : 0) : Missing;

    public static string Megabytes(long? bytes) => bytes is { } b ? Decimal(b / 1e6, 0) + " MB" : Missing;

    /// <summary>Kora / mock, as a plain factor.</summary>
    public static string Ratio(double? kora, double? mock) =>
        kora is { } k && mock is { } m && m > 0 ? Decimal(k / m, 2) + "x" : Missing;
}
