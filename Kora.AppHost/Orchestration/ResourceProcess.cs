using System.Diagnostics;
using Kora.AppHost.Hosting;

namespace Kora.AppHost.Orchestration;

/// <summary>One run of a resource's process: its output, line by line, and its exit.</summary>
internal sealed class ResourceProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ResourceProcess(Process process)
    {
        _process = process;
        process.Exited += (_, _) => _exited.TrySetResult();
    }

    public int Id { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>
    /// Completes when the process itself exits, not when its output ends: a grandchild that outlives it
    /// may hold the pipes open.
    /// </summary>
    public Task Exited => _exited.Task;

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _exited.Task.IsCompleted;

    public static async Task<ResourceProcess> StartAsync(LaunchCommand command, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        Action<string> stdout, Action<string> stderr)
    {
        // Checked here because behind the launcher's wrappers a missing program would only show as an early exit.
        var info = ProcessLauncher.CreateStartInfo(FindProgram(command.FileName, command.WorkingDirectory), command.Arguments.Concat(arguments));
        if (command.WorkingDirectory is { } directory)
        {
            info.WorkingDirectory = directory;
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                stdout(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                stderr(e.Data);
            }
        };
        var run = new ResourceProcess(process);
        try
        {
            await ProcessLauncher.StartAsync(process).ConfigureAwait(false);
        }
        catch
        {
            process.Dispose();
            throw;
        }
        run.Id = process.Id;
        run.StartedAt = DateTimeOffset.UtcNow;
        // Nothing is ever written to a resource's stdin; closing it gives a reader end-of-file at once.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (process.HasExited)
        {
            run._exited.TrySetResult();
        }
        return run;
    }

    /// <summary>The program's full path: as given if it names a folder, else the first match on PATH.</summary>
    private static string FindProgram(string fileName, string? workingDirectory)
    {
        if (fileName.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(fileName, workingDirectory ?? Environment.CurrentDirectory);
            return File.Exists(path) ? path : throw new FileNotFoundException($"There is no program {path}.", path);
        }
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, fileName))
            .FirstOrDefault(File.Exists);
        return found ?? throw new FileNotFoundException($"There is no program {fileName} on PATH.", fileName);
    }

    /// <summary>Signals the process's group when it has one of its own (see <see cref="ProcessLauncher"/>), else the process.</summary>
    public void Signal(int signal)
    {
        if (!HasExited)
        {
            _ = ProcessLauncher.IsolatesChildren && Signals.Send(-Id, signal) || Signals.Send(Id, signal);
        }
    }

    /// <summary>
    /// Waits until no live process is left in the process's group, up to <paramref name="timeout"/>; false if some are.
    /// The group leader exiting does not mean its children have: they got the same signal but may not have been
    /// scheduled to act on it yet.
    /// </summary>
    public async Task<bool> WaitForGroupAsync(TimeSpan timeout)
    {
        if (!ProcessLauncher.IsolatesChildren)
        {
            return true;
        }
        var deadline = DateTime.UtcNow + timeout;
        while (ProcessGroup.HasLiveMembers(Id))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>SIGKILL to the group, and to any descendant that left it.</summary>
    public void Kill()
    {
        if (ProcessLauncher.IsolatesChildren)
        {
            // Also after the leader has exited: stragglers in its group must not outlive the stop.
            Signals.Send(-Id, Signals.Kill);
        }
        Signal(Signals.Kill);
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public void Dispose() => _process.Dispose();
}
