using System.Runtime.InteropServices;

namespace Kora.Bench.Results;

/// <summary>Where the numbers were taken.</summary>
internal sealed record MachineInfo(string Host, int Cores, string Os, string Runtime, string Commit)
{
    public static MachineInfo Current(string commit) => new(
        Environment.MachineName, Environment.ProcessorCount, RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription, commit);
}
