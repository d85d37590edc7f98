using System.Diagnostics;
using Kora.Bench.Processes;

namespace Kora.Bench.Suite;

/// <summary>The repository's HEAD commit, marked "+dirty" with uncommitted changes.</summary>
internal static class GitCommit
{
    public static async Task<string> DescribeAsync(string repoRoot)
    {
        try
        {
            var info = new ProcessStartInfo("git");
            foreach (var arg in new[] { "-C", repoRoot, "describe", "--always", "--dirty=+dirty" })
            {
                info.ArgumentList.Add(arg);
            }
            var result = await ToolRunner.RunAsync(info, null, TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            return result.ExitCode == 0 ? result.Stdout.Trim() : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
