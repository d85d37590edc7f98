using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Kora.Protocol.Generator;

/// <summary>Turns every <c>*.kschema</c> additional file into a message class with its codec.</summary>
[Generator]
public sealed class SchemaGenerator : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor BadSchema = new DiagnosticDescriptor(
        "KORA001", "Invalid Kafka schema", "Schema {0} could not be generated: {1}", "Kora.Protocol", DiagnosticSeverity.Error, true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var schemas = context.AdditionalTextsProvider
            .Where(static f => f.Path.EndsWith(".kschema"))
            .Select(static (f, ct) => (Path: f.Path, Text: f.GetText(ct)?.ToString() ?? ""));
        context.RegisterSourceOutput(schemas, static (spc, schema) =>
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(schema.Path);
            try
            {
                var message = SchemaParser.Parse(schema.Text);
                var source = new MessageEmitter(message).Emit();
                spc.AddSource(name + ".g.cs", SourceText.From(source, System.Text.Encoding.UTF8));
            }
            catch (System.Exception e) when (e is System.FormatException || e is System.InvalidOperationException || e is IOException)
            {
                spc.ReportDiagnostic(Diagnostic.Create(BadSchema, Location.None, name, e.Message));
            }
        });
    }
}
