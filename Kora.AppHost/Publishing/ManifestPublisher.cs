using Kora.AppHost.Hosting;

namespace Kora.AppHost.Publishing;

/// <summary>
/// Writes the resource graph for a deployment: <c>aspire-manifest.json</c> (Aspire's manifest format,
/// the graph itself), <c>docker-compose.yaml</c> (the same graph as containers, which every target can
/// import) and <c>DEPLOY-&lt;target&gt;.md</c> (how the pieces map onto the chosen cloud).
/// </summary>
internal static class ManifestPublisher
{
    public const string ManifestFile = "aspire-manifest.json";
    public const string ComposeFile = "docker-compose.yaml";

    public static IReadOnlyList<string> Publish(IReadOnlyList<Resource> resources, DistributedApplicationExecutionContext context)
    {
        var output = context.OutputPath!;
        var target = context.PublishTarget!.Value;
        Directory.CreateDirectory(output);
        var notes = $"DEPLOY-{target.ToString().ToLowerInvariant()}.md";
        File.WriteAllText(Path.Combine(output, ManifestFile), ManifestWriter.Write(resources, output));
        File.WriteAllText(Path.Combine(output, ComposeFile), ComposeWriter.Write(resources, target));
        File.WriteAllText(Path.Combine(output, notes), DeploymentNotes.Write(resources, target));
        return [ManifestFile, ComposeFile, notes];
    }
}
