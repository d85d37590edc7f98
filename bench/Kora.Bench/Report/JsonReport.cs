using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kora.Bench.Results;

namespace Kora.Bench.Report;

/// <summary>The machine-readable form of a run.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a local file: keep "+", "<", ">" readable
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Render(BenchReport report) => JsonSerializer.Serialize(report, Options);
}
