using System.Reflection;

namespace Kora.AppHost.Hosting;

/// <summary>Where the repository is and which configuration the host was built in, recorded at build time.</summary>
internal static class RepositoryLayout
{
    private static readonly Dictionary<string, string?> Metadata = typeof(RepositoryLayout).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);

    public static string Root => Metadata["KoraRepositoryRoot"]!;

    public static string Configuration => Metadata["KoraConfiguration"]!;

    /// <summary>The built assembly of a project, in the same configuration as the host.</summary>
    public static string ProjectOutput(string projectName)
    {
        var path = Path.Combine(Root, projectName, "bin", Configuration, "net10.0", projectName + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{projectName} is not built; expected {path}.", path);
    }
}
