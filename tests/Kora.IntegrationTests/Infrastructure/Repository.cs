using System.Reflection;

namespace Kora.IntegrationTests.Infrastructure;

/// <summary>Where the repository and the built broker and controller are, recorded at build time.</summary>
internal static class Repository
{
    public static string Root { get; } = Metadata("KoraRepositoryRoot");

    public static string Configuration { get; } = Metadata("KoraConfiguration");

    public static string BrokerDll => Path.Combine(Root, "Kora.Broker", "bin", Configuration, "net10.0", "Kora.Broker.dll");

    public static string ControllerDll => Path.Combine(Root, "Kora.Controller", "bin", Configuration, "net10.0", "Kora.Controller.dll");

    public static string NodeClients => Path.Combine(Root, "tests", "clients");

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
