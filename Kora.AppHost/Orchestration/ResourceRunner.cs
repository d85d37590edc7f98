using System.Diagnostics;
using System.Runtime.InteropServices;
using Kora.AppHost.Hosting;

namespace Kora.AppHost.Orchestration;

/// <summary>
/// Runs one resource: starts its process, copies its output to the console with a <c>[name]</c> prefix
/// and to a log file, learns its endpoints from its ready line, waits for its health check, and restarts
/// it with back-off if it exits on its own.
/// </summary>
internal sealed partial class ResourceRunner(Resource resource, TextWriter console, string logDirectory, TimeSpan stopGrace) : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly TaskCompletionSource _healthy = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _logLock = new();
    private StreamWriter? _log;
    private Process? _process;
    private Task? _supervisor;

    public Resource Resource => resource;
    public Task Healthy => _healthy.Task;
    public int Restarts { get; private set; }
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public void Start()
    {
        Directory.CreateDirectory(logDirectory);
        _log = new StreamWriter(Path.Combine(logDirectory, resource.Name + ".log"), append: true) { AutoFlush = true };
        _supervisor = SuperviseAsync(_stopping.Token);
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stopping.IsCancellationRequested)
        {
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var process = Launch(ready);
            _process = process;
            var health = WaitHealthyAsync(ready.Task, process, stopping);
            await ExitedAsync(process, CancellationToken.None).ConfigureAwait(false);
            await health.ConfigureAwait(false);
            if (stopping.IsCancellationRequested)
            {
                return;
            }
            if (Restarts >= resource.MaxRestarts)
            {
                Write($"exited with code {process.ExitCode}; giving up after {Restarts} restarts");
                _healthy.TrySetException(new InvalidOperationException($"{resource.Name} keeps crashing (exit code {process.ExitCode})."));
                return;
            }
            Restarts++;
            Write($"exited with code {process.ExitCode}; restarting in {backoff.TotalSeconds:0.#} s");
            try
            {
                await Task.Delay(backoff, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private Process Launch(TaskCompletionSource ready)
    {
        var info = new ProcessStartInfo(resource.Command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in resource.Args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in resource.Environment)
        {
            info.Environment[name] = value;
        }
        foreach (var (name, value) in resource.References)
        {
            if (value(resource) is { } resolved)
            {
                info.Environment[name] = resolved;
            }
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data, ready);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, null);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Write($"started (pid {process.Id})");
        return process;
    }

    private void OnLine(string? line, TaskCompletionSource? ready)
    {
        if (line is null)
        {
            return;
        }
        Write(line);
        if (ready is not null && ReadyLine.TryParse(line, out var endpoints))
        {
            foreach (var (name, endpoint) in endpoints)
            {
                resource.Endpoints[name] = endpoint;
            }
            ready.TrySetResult();
        }
    }

    /// <summary>Healthy once the ready line has appeared (if the resource prints one) and the health check answers 200.</summary>
    private async Task WaitHealthyAsync(Task ready, Process process, CancellationToken stopping)
    {
        var waitsForReadyLine = resource.AnnouncesReadiness || resource.HealthCheckPath is not null;
        if (waitsForReadyLine)
        {
            var exited = ExitedAsync(process, stopping);
            if (await Task.WhenAny(ready, exited).ConfigureAwait(false) != ready)
            {
                return;
            }
            while (resource.HealthCheckPath is not null && !process.HasExited && !stopping.IsCancellationRequested)
            {
                if (resource.Endpoints.TryGetValue("http", out var http) && await ProbeAsync($"http://{http}{resource.HealthCheckPath}").ConfigureAwait(false))
                {
                    break;
                }
                await Task.Delay(200, CancellationToken.None).ConfigureAwait(false);
            }
            if (process.HasExited || stopping.IsCancellationRequested)
            {
                return;
            }
        }
        if (!_healthy.Task.IsCompleted)
        {
            Write("healthy");
        }
        _healthy.TrySetResult();
    }

    private static async Task<bool> ProbeAsync(string url)
    {
        try
        {
            using var response = await Http.GetAsync(url).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private void Write(string line)
    {
        lock (_logLock)
        {
            console.WriteLine($"[{resource.Name}] {line}");
            _log?.WriteLine($"{DateTimeOffset.Now:O} {line}");
        }
    }

    /// <summary>SIGTERM, a grace period for the resource to finish its work, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_process is { HasExited: false } process)
        {
            _ = Kill(process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await ExitedAsync(process, timeout.Token).ConfigureAwait(false);
                Write($"stopped (exit code {process.ExitCode})");
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await ExitedAsync(process, CancellationToken.None).ConfigureAwait(false);
                Write("killed after the grace period");
            }
        }
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }
        _healthy.TrySetCanceled();
    }

    /// <summary>
    /// The process's own exit, not the end of its output: a grandchild that outlives it may hold the pipe open.
    /// </summary>
    private static Task ExitedAsync(Process process, CancellationToken cancellation)
    {
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        if (process.HasExited)
        {
            exited.TrySetResult();
        }
        return exited.Task.WaitAsync(cancellation);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(stopGrace).ConfigureAwait(false);
        _process?.Dispose();
        lock (_logLock)
        {
            _log?.Dispose();
            _log = null;
        }
        _stopping.Dispose();
    }
}
